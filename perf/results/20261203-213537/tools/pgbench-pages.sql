\set hot random(0, 9)
\set cold random(0, 249999)
\set hotseq random(1, 250000)
\set coldseq random(1, 10)
\set rows 11
SELECT 'hot' || :hot::int || '.anna' || ':' || 'zpeer_1987' AS hotchat, 'cold' || :cold::int || '.anna' || ':' || 'zpeer_1987' AS coldchat \gset
SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = :hotchat AND seq >= :hotseq ORDER BY seq ASC LIMIT :rows;
SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = :coldchat AND seq <= :coldseq ORDER BY seq DESC LIMIT :rows;
SELECT chat, seq, message_id, sender, text, send_time FROM messages WHERE chat = :hotchat ORDER BY seq DESC LIMIT :rows;
