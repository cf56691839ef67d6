package io.chatpipe.spring.topology;

import io.chatpipe.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.DeclarationExceptionEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.NestedExceptionUtils;

/**
 * Says what to do when the broker refuses a declaration of the topology: a queue that
 * exists with other arguments (PRECONDITION_FAILED), most often the shard-count queue of
 * a tier configured with another shard count. Each refusal is logged once, not at every
 * health check that meets it again.
 */
class TopologyDeclarationFailures {

	private static final Logger logger = LoggerFactory.getLogger(TopologyDeclarationFailures.class);

	private final Topology topology;

	TopologyDeclarationFailures(Topology topology) {
		this.topology = topology;
	}

	private String lastLogged;

	/** Forgets the last refusal logged, once the declaration works again. */
	synchronized void resolved() {
		this.lastLogged = null;
	}

	@EventListener
	synchronized void on(DeclarationExceptionEvent event) {
		Declarable declarable = event.getDeclarable();
		// The broker's own words are on the innermost cause (the channel's shutdown
		// signal); the wrappers around it may carry no message at all.
		String cause = NestedExceptionUtils.getMostSpecificCause(event.getThrowable()).getMessage();
		if (cause != null && cause.equals(this.lastLogged)) {
			return;
		}
		this.lastLogged = cause;
		if (declarable instanceof Queue queue && queue.getName().equals(this.topology.shardCountQueue())) {
			logger.error("The broker holds another shard count than chatpipe.topology.shards={} ({}). Set the same"
					+ " chatpipe.topology.shards on the publisher and the consumer. To change the count, stop the"
					+ " publishers, let the consumers drain the shard queues, delete the queue {}, then start every"
					+ " tier with the new count.", this.topology.shards(), cause, queue.getName());
		}
		else {
			logger.error("The broker refused to declare {} of the topology '{}' ({}). A queue or exchange that exists"
					+ " with other arguments must be deleted (drain it first), or declared with its old arguments.",
					(declarable != null) ? declarable : "part", this.topology.prefix(), cause);
		}
	}

}
