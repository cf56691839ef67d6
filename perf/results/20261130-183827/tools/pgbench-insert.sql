\set chats 50
\set base random(0, 99) * :chats
BEGIN;
SELECT m.chat, m.message_id FROM messages m
JOIN unnest(ARRAY(SELECT 'bench' || :client_id::int || 'x' || (:base::int + g) || ':' || 'peer' FROM generate_series(1, :chats::int) g),
            ARRAY(SELECT gen_random_uuid() FROM generate_series(1, :chats::int))) AS k(chat, message_id) USING (chat, message_id);
WITH reserved AS (
  INSERT INTO chats (chat, last_seq)
  SELECT chat, n FROM unnest(ARRAY(SELECT 'bench' || :client_id::int || 'x' || (:base::int + g) || ':' || 'peer' FROM generate_series(1, :chats::int) g),
                             ARRAY(SELECT 1::bigint FROM generate_series(1, :chats::int))) AS r(chat, n) ORDER BY chat
  ON CONFLICT (chat) DO UPDATE SET last_seq = chats.last_seq + EXCLUDED.last_seq
  RETURNING chat, last_seq)
INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)
SELECT chat, last_seq, gen_random_uuid(), 'peer', 'message of a benchmark run, about a short chat line',
       extract(epoch FROM now())::bigint, now() FROM reserved;
COMMIT;
