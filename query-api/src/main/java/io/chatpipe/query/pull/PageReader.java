package io.chatpipe.query.pull;

import java.util.List;

import io.chatpipe.spring.tracing.Spans;
import io.micrometer.tracing.Span;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Query;
import org.hibernate.jpa.HibernateHints;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.orm.jpa.EntityManagerFactoryUtils;
import org.springframework.stereotype.Component;

/**
 * Reads one page (blocking): a keyset read on the primary key (chat, seq), one index
 * range scan however deep the page. Fetches one row more than the limit to know, without
 * a count, whether more follow.
 * <p>
 * Each read is one of the {@link PageQueries}, native SQL mapped to the entity (so that
 * the benchmark's pgbench runs the very statement a pull sends), on an entity manager of
 * its own, read-only and without a transaction: one statement, no BEGIN or COMMIT around
 * it, nothing for Hibernate to track. A Spring Data repository did the same read through
 * a chain of proxies (transaction, metadata, query creation and exception-translation
 * interceptors) that the profile showed as about a sixth of a pull's CPU; failures are
 * translated here instead, so that they reach the problem responses as a
 * {@link DataAccessException}.
 */
@Component
class PageReader implements DisposableBean {

	private final EntityManagerFactory entityManagers;

	private final PullStats stats;

	private final Scheduler reads;

	private final Spans spans;

	PageReader(EntityManagerFactory entityManagers, PullStats stats, PullProperties properties, Spans spans) {
		this.entityManagers = entityManagers;
		this.spans = spans;
		this.stats = stats;
		this.reads = Schedulers.newBoundedElastic(properties.readThreads(), 100_000, "page-read");
	}

	/**
	 * Reads a page on the read threads, never on the caller's (an event loop); a span in
	 * the pull's trace.
	 */
	Mono<Page> readLater(PullRequest request) {
		return Mono.deferContextual((context) -> {
			long start = System.nanoTime();
			Span span = this.spans.startDatabase(context, "chatpipe.query.page.read");
			return Mono.fromCallable(() -> read(request))
				.subscribeOn(this.reads)
				.doOnNext((page) -> this.stats.record(start, page))
				.doOnError(span::error)
				.doFinally((signal) -> span.end());
		});
	}

	@Override
	public void destroy() {
		this.reads.dispose();
	}

	Page read(PullRequest request) {
		List<StoredMessage> rows = rows(request);
		boolean hasMore = rows.size() > request.limit();
		List<StoredMessage> page = hasMore ? rows.subList(0, request.limit()) : rows;
		return new Page(page.stream().map(StoredMessage::toPageMessage).toList(), hasMore,
				nextCursor(request, rows, page, hasMore));
	}

	private List<StoredMessage> rows(PullRequest request) {
		String chat = request.chat().value();
		int rows = request.limit() + 1;
		try (EntityManager entityManager = this.entityManagers.createEntityManager()) {
			if (!request.reverse()) {
				return read(entityManager, PageQueries.ASCENDING, chat, Math.max(request.cursor(), 1), rows);
			}
			if (request.cursor() == 0) {
				return read(entityManager, PageQueries.NEWEST_FIRST, chat, rows);
			}
			return read(entityManager, PageQueries.DESCENDING, chat, request.cursor(), rows);
		}
		catch (PersistenceException ex) {
			DataAccessException translated = EntityManagerFactoryUtils.convertJpaAccessExceptionIfPossible(ex);
			throw (translated != null) ? translated : ex;
		}
	}

	@SuppressWarnings("unchecked")
	private static List<StoredMessage> read(EntityManager entityManager, String sql, Object... parameters) {
		Query query = entityManager.createNativeQuery(sql, StoredMessage.class)
			.setHint(HibernateHints.HINT_READ_ONLY, true);
		for (int i = 0; i < parameters.length; i++) {
			query.setParameter(i + 1, parameters[i]);
		}
		return query.getResultList();
	}

	/**
	 * Ascending: the seq after the last one returned, or the cursor asked for when none
	 * were, so a client can keep polling it. Descending: the next older seq, or 0 once
	 * the oldest was returned.
	 */
	private static long nextCursor(PullRequest request, List<StoredMessage> rows, List<StoredMessage> page,
			boolean hasMore) {
		if (!request.reverse()) {
			return page.isEmpty() ? request.cursor() : page.get(page.size() - 1).seq() + 1;
		}
		return hasMore ? rows.get(request.limit()).seq() : 0;
	}

}
