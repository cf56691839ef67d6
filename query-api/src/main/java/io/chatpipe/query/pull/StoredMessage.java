package io.chatpipe.query.pull;

import java.io.Serializable;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.hibernate.annotations.Immutable;

/**
 * A stored message as the query API reads it; the consumer writes the table, this tier
 * never does.
 */
@Entity
@Immutable
@Table(name = "messages")
@IdClass(StoredMessage.Key.class)
class StoredMessage {

	@Id
	private String chat;

	@Id
	private long seq;

	@Column(name = "message_id")
	private UUID messageId;

	private String sender;

	private String text;

	@Column(name = "send_time")
	private long sendTime;

	protected StoredMessage() {
	}

	String chat() {
		return this.chat;
	}

	long seq() {
		return this.seq;
	}

	UUID messageId() {
		return this.messageId;
	}

	String sender() {
		return this.sender;
	}

	String text() {
		return this.text;
	}

	long sendTime() {
		return this.sendTime;
	}

	/**
	 * The primary key: a chat and a position in it.
	 *
	 * @param chat the canonical chat
	 * @param seq the position
	 */
	record Key(String chat, long seq) implements Serializable {

		Key() {
			this(null, 0);
		}

	}

}
