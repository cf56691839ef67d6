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

	long seq() {
		return this.seq;
	}

	/** The message as a page shows it. */
	Page.Message toPageMessage() {
		return new Page.Message(this.chat, this.text, this.sender, this.sendTime, this.seq, this.messageId);
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
