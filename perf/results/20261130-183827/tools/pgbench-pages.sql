\set hot random(0, 9)
\set cold random(0, 249999)
\set hotseq random(1, 250000)
\set coldseq random(1, 10)
SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = 'hot' || :hot::int || ':' || 'peer' AND seq >= :hotseq::bigint ORDER BY seq LIMIT 11;
SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = 'cold' || :cold::int || ':' || 'peer' AND seq <= :coldseq::bigint ORDER BY seq DESC LIMIT 11;
