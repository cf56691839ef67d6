package io.chatpipe.spring.tracing;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import reactor.util.context.ContextView;

import org.springframework.amqp.core.MessageProperties;

/**
 * The spans chatpipe makes itself, beside the HTTP server spans Spring makes for every
 * request. Without a tracer (tracing off) every span is a no-op.
 */
public class Spans {

	private final Tracer tracer;

	private final Propagator propagator;

	public Spans(Tracer tracer, Propagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	/**
	 * A span to start for this tier's work for the request whose Reactor context this is:
	 * a child of the request's HTTP span, which WebFlux keeps in the context as the
	 * current observation; without one, the root of a new trace.
	 */
	public Span.Builder forRequest(ContextView context, String name, Span.Kind kind) {
		Span parent = null;
		Object observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
		if (observation instanceof Observation current) {
			TracingObservationHandler.TracingContext tracing = current.getContext()
				.get(TracingObservationHandler.TracingContext.class);
			parent = (tracing != null) ? tracing.getSpan() : null;
		}
		return under(parent).name(name).kind(kind);
	}

	/**
	 * Starts a span of a PostgreSQL statement (or transaction), a child of the span in
	 * scope on this thread.
	 */
	public Span startDatabase(String name) {
		return database(under(this.tracer.currentSpan()).name(name));
	}

	/**
	 * Starts a span of a PostgreSQL statement made for the request whose Reactor context
	 * this is (see {@link #forRequest}).
	 */
	public Span startDatabase(ContextView context, String name) {
		return database(forRequest(context, name, Span.Kind.CLIENT));
	}

	private static Span database(Span.Builder span) {
		return span.kind(Span.Kind.CLIENT).tag("db.system", "postgresql").start();
	}

	private Span.Builder under(Span parent) {
		Span.Builder builder = this.tracer.spanBuilder();
		return (parent != null) ? builder.setParent(parent.context()) : builder.setNoParent();
	}

	/** Writes the span's context into a message's headers (W3C {@code traceparent}). */
	public void inject(Span span, MessageProperties properties) {
		this.propagator.inject(span.context(), properties, MessageProperties::setHeader);
	}

	/**
	 * Starts the spans of a batch the consumer stores: one for each message, in the
	 * message's own trace (a child of the span that published it, when it carries one),
	 * and the batch's, which links to each of them.
	 */
	public Batch startBatch(String name, String queue, List<MessageProperties> messages) {
		List<Span> perMessage = new ArrayList<>(messages.size());
		Span.Builder batch = this.tracer.spanBuilder()
			.setNoParent()
			.name(name)
			.kind(Span.Kind.CONSUMER)
			.tag("messaging.system", "rabbitmq")
			.tag("messaging.destination.name", queue)
			.tag("messaging.batch.message_count", messages.size());
		for (MessageProperties message : messages) {
			Span span = this.propagator
				.extract(message, (carrier, key) -> (carrier.getHeader(key) instanceof String value) ? value : null)
				.name(name + ".message")
				.kind(Span.Kind.CONSUMER)
				.tag("messaging.message.id", String.valueOf(message.getMessageId()))
				.start();
			perMessage.add(span);
			batch.addLink(new Link(span));
		}
		return new Batch(batch.start(), perMessage, this.tracer);
	}

	/**
	 * A batch's spans. {@link #inScope} puts the batch's span in scope, so that the log
	 * lines written meanwhile carry its trace id.
	 *
	 * @param span the batch's span
	 * @param messages each message's span
	 * @param tracer the tracer
	 */
	public record Batch(Span span, List<Span> messages, Tracer tracer) {

		public Tracer.SpanInScope inScope() {
			return this.tracer.withSpan(this.span);
		}

		/** Ends every span; with the failure, when the batch failed. */
		public void end(Throwable failure) {
			for (Span message : this.messages) {
				if (failure != null) {
					message.error(failure);
				}
				message.end();
			}
			if (failure != null) {
				this.span.error(failure);
			}
			this.span.end();
		}

	}

}
