package io.chatpipe.query.pull;

import java.util.List;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Keyset reads on the primary key (chat, seq): each is one index range scan, however deep
 * the page.
 * <p>
 * The queries are JPQL strings rather than derived from the method names: Hibernate
 * caches a string query's translation, while a derived query is built as a criteria query
 * and translated to SQL again on every call, which the profile showed as the largest
 * share of a pull's CPU. Each read is one statement, so it runs without a transaction of
 * its own: no BEGIN and COMMIT around it.
 */
@Transactional(propagation = Propagation.NOT_SUPPORTED)
interface StoredMessageRepository extends Repository<StoredMessage, StoredMessage.Key> {

	@Query("SELECT m FROM StoredMessage m WHERE m.chat = :chat AND m.seq >= :seq ORDER BY m.seq ASC")
	List<StoredMessage> findByChatAndSeqGreaterThanEqualOrderBySeqAsc(String chat, long seq, Limit limit);

	@Query("SELECT m FROM StoredMessage m WHERE m.chat = :chat AND m.seq <= :seq ORDER BY m.seq DESC")
	List<StoredMessage> findByChatAndSeqLessThanEqualOrderBySeqDesc(String chat, long seq, Limit limit);

	@Query("SELECT m FROM StoredMessage m WHERE m.chat = :chat ORDER BY m.seq DESC")
	List<StoredMessage> findByChatOrderBySeqDesc(String chat, Limit limit);

}
