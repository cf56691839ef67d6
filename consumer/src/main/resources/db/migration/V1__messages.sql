-- chatpipe's schema. The consumer is its only writer (and runs these migrations); the query API only reads it.
--
-- chats holds one row per chat with the last position (seq) handed out in it. The consumer reserves positions for
-- a batch with one upsert (last_seq = last_seq + n) in the same transaction that inserts the batch's messages. The
-- upsert's row lock serialises writers of one chat, and a rolled-back batch rolls its reservation back, so:
--   * seq is gap-free per chat: 1, 2, 3, ... in the order the messages were persisted (queue order);
--   * positions become visible in order: a transaction holding seq N commits after the one holding N-1, so a
--     reader that sees seq N sees every seq < N (the README's Guarantees: stable pages).
--
-- messages is keyed by (chat, seq): the primary key's index serves keyset pages in both directions. The unique
-- (chat, message_id) makes writes idempotent: the consumer skips ids already stored, and if two consumers race on
-- one id (a shard handover), the loser's transaction fails on this constraint and its retry skips the id.
CREATE TABLE chats (
    chat     text   PRIMARY KEY,
    last_seq bigint NOT NULL CHECK (last_seq >= 0)
);

CREATE TABLE messages (
    chat        text        NOT NULL,
    seq         bigint      NOT NULL CHECK (seq >= 1),
    message_id  uuid        NOT NULL,
    sender      text        NOT NULL,
    text        text        NOT NULL,
    -- Unix seconds, as the API reports it.
    send_time   bigint      NOT NULL,
    -- When the publisher accepted the message (millisecond precision) and when it was stored: persist lag.
    accepted_at timestamptz NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chat, seq),
    CONSTRAINT messages_chat_message_id_key UNIQUE (chat, message_id)
);
