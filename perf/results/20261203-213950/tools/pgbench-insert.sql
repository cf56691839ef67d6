\set base random(0, 99) * 50
SELECT array_agg('bench' || :client_id::int || 'x' || (:base::int + g) || ':' || 'peer' ORDER BY g)::text AS chats,
       array_agg(gen_random_uuid() ORDER BY g)::text AS ids,
       array_agg(1 ORDER BY g)::text AS counts,
       array_agg('peer'::text ORDER BY g)::text AS senders,
       array_agg('about forty characters, as chats average'::text ORDER BY g)::text AS texts,
       array_agg((extract(epoch FROM now()) * 1000)::bigint ORDER BY g)::text AS accepted
FROM generate_series(1, 50) g \gset
BEGIN;
SELECT m.chat, m.message_id FROM messages m
JOIN unnest(:chats::text[], :ids::uuid[]) AS k(chat, message_id) USING (chat, message_id);
INSERT INTO chats (chat, last_seq)
SELECT chat, n FROM unnest(:chats::text[], :counts::bigint[]) AS r(chat, n) ORDER BY chat
ON CONFLICT (chat) DO UPDATE SET last_seq = chats.last_seq + EXCLUDED.last_seq
RETURNING chat, last_seq;
SELECT array_agg(c.last_seq ORDER BY k.i)::text AS seqs
FROM unnest(:chats::text[]) WITH ORDINALITY AS k(chat, i) JOIN chats c USING (chat) \gset
INSERT INTO messages (chat, seq, message_id, sender, text, send_time, accepted_at)
SELECT chat, seq, message_id, sender, text, accepted_ms / 1000, to_timestamp(accepted_ms / 1000.0)
FROM unnest(:chats::text[], :seqs::bigint[], :ids::uuid[], :senders::text[], :texts::text[], :accepted::bigint[])
  AS m(chat, seq, message_id, sender, text, accepted_ms);
COMMIT;
