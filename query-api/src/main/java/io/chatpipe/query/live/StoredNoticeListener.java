package io.chatpipe.query.live;

import java.util.concurrent.TimeUnit;

import io.chatpipe.model.StoredNotice;
import io.chatpipe.spring.activity.Latencies;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.rabbit.listener.AsyncConsumerStoppedEvent;
import org.springframework.amqp.rabbit.listener.ConsumeOkEvent;
import org.springframework.amqp.rabbit.listener.ListenerContainerConsumerFailedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Hears the consumers' stored notices and wakes the readers of their chats; tells
 * {@link WakeUps} whether the bus is up (between the broker's consume-ok and a failure of
 * the consumer or its connection).
 */
@Component
class StoredNoticeListener implements MessageListener {

	private static final Logger logger = LoggerFactory.getLogger(StoredNoticeListener.class);

	private final WakeUps wakeUps;

	private final Timer lag;

	StoredNoticeListener(WakeUps wakeUps, MeterRegistry registry) {
		this.wakeUps = wakeUps;
		this.lag = Latencies.timer(registry, "chatpipe.query.live.wakeup.lag",
				"From a batch's commit (the consumer's clock) to this replica hearing of it");
	}

	@Override
	public void onMessage(Message message) {
		StoredNotice notice;
		try {
			notice = StoredNotice.decode(message.getBody());
		}
		catch (IllegalArgumentException ex) {
			logger.warn("Ignored a message on the wake-up bus that is no stored notice: {}", ex.getMessage());
			return;
		}
		this.lag.record(Math.max(0, System.currentTimeMillis() - notice.storedAtMillis()), TimeUnit.MILLISECONDS);
		notice.chats().forEach(this.wakeUps::wake);
	}

	@EventListener
	void consuming(ConsumeOkEvent event) {
		logger.info("Hearing the consumers' stored notices on {}", event.getQueue());
		this.wakeUps.busUp(true);
	}

	@EventListener
	void failed(ListenerContainerConsumerFailedEvent event) {
		if (this.wakeUps.busUp()) {
			logger.warn("Lost the wake-up bus ({}); live readers read their chats every second until it is back",
					event.getReason());
		}
		this.wakeUps.busUp(false);
	}

	@EventListener
	void stopped(AsyncConsumerStoppedEvent event) {
		this.wakeUps.busUp(false);
	}

}
