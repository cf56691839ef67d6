package io.chatpipe.query.pull;

import java.util.List;

import org.springframework.data.domain.Limit;
import org.springframework.data.repository.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Keyset reads on the primary key (chat, seq): each is one index range scan, however deep
 * the page.
 */
@Transactional(readOnly = true)
interface StoredMessageRepository extends Repository<StoredMessage, StoredMessage.Key> {

	List<StoredMessage> findByChatAndSeqGreaterThanEqualOrderBySeqAsc(String chat, long seq, Limit limit);

	List<StoredMessage> findByChatAndSeqLessThanEqualOrderBySeqDesc(String chat, long seq, Limit limit);

	List<StoredMessage> findByChatOrderBySeqDesc(String chat, Limit limit);

}
