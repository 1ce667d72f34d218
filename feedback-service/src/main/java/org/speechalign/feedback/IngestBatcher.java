package org.speechalign.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one kind of event. Requests queue up; a worker takes every request that
 * arrived while it was busy (up to {@code maxEvents} events, optionally lingering for more),
 * claims all their ids in one PostgreSQL transaction ({@link ClaimStore#claim}), sends each
 * distinct new id to Kafka once and completes every request on its own as soon as Kafka has
 * acknowledged all of its records (acks=all, idempotent producer). Workers do not wait for the
 * acknowledgements: the next group is claimed while Kafka acknowledges the previous one. A few
 * workers claim groups side by side, so one slow round trip to PostgreSQL does not hold up the
 * requests queued behind it (concurrent groups are decided as if one had come before the other).
 * Requests of one event may have a lane of their own with fewer workers: while its claim runs,
 * the next ones queue up into one larger group (at 6–8k requests/s on 2 cores, 6 requests per
 * statement with one worker against 4 with four, and a third less PostgreSQL CPU per request),
 * while arrays keep several workers side by side.
 *
 * <p>A request whose ids conflict is answered {@link FeedbackIngest.Conflict} and claims nothing;
 * a failed transaction answers every request of the group {@link FeedbackIngest.Unavailable} and
 * claims nothing; a failed Kafka send answers every request waiting for that record Unavailable.
 * A retry of the same payload then succeeds: the claim is a duplicate not stored yet, sent again.
 */
final class IngestBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestBatcher.class);

    /** One event of a request: its claim and the Kafka record that carries it. */
    record Event(ClaimStore.Claim claim, ProducerRecord<String, byte[]> record) {
    }

    private static final class Pending {
        final List<Event> events;
        final int foldedDuplicates;
        final CompletableFuture<FeedbackIngest.Result> result = new CompletableFuture<>();
        final AtomicInteger awaiting = new AtomicInteger();
        int accepted;
        int duplicates;
        long sentAt;

        Pending(List<Event> events, int foldedDuplicates) {
            this.events = events;
            this.foldedDuplicates = foldedDuplicates;
        }
    }

    private final ClaimStore claims;
    private final ClaimStore.Kind kind;
    private final Producer<String, byte[]> producer;
    private final int maxEvents;
    private final long lingerNanos;
    private final Duration ackTimeout;
    private final Counter accepted;
    private final Counter duplicates;
    private final Timer ackLatency;
    private final DistributionSummary groupSize;
    private final BlockingQueue<Pending> arrays = new LinkedBlockingQueue<>();
    /** Requests of one event, when they have their own lane; else the same queue as arrays. */
    private final BlockingQueue<Pending> singles;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param singleWorkers workers of the lane for requests of one event (0: no such lane, they queue with arrays)
     * @param workers       workers for arrays (and for single events when they have no lane)
     */
    IngestBatcher(ClaimStore claims, ClaimStore.Kind kind, Producer<String, byte[]> producer, int singleWorkers, int workers,
                  int maxEvents, Duration linger, Duration ackTimeout, MeterRegistry meters) {
        this.claims = claims;
        this.kind = kind;
        this.producer = producer;
        this.maxEvents = maxEvents;
        this.lingerNanos = linger.toNanos();
        this.ackTimeout = ackTimeout;
        this.accepted = Counter.builder("feedback.events.accepted").tag("kind", kind.wire)
                .description("events acknowledged by Kafka, by kind (duplicates excluded)").register(meters);
        this.duplicates = Counter.builder("feedback.events.duplicate")
                .description("events whose id was accepted before with the same payload").register(meters);
        this.ackLatency = Timer.builder("feedback.kafka.ack").description("time from send to Kafka acknowledgement")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.groupSize = DistributionSummary.builder("feedback.claim.group.requests").tag("kind", kind.wire)
                .description("requests claimed together in one PostgreSQL transaction").register(meters);
        if (workers < 1 || singleWorkers < 0) {
            throw new IllegalArgumentException("feedback.claim-workers must be at least 1 and feedback.claim-single-workers "
                    + "at least 0, were " + workers + " and " + singleWorkers);
        }
        this.singles = singleWorkers > 0 ? new LinkedBlockingQueue<>() : arrays;
        startWorkers(arrays, workers, "ingest-batcher-" + kind.wire + "-");
        if (singles != arrays) {
            startWorkers(singles, singleWorkers, "ingest-batcher-" + kind.wire + "-single-");
        }
    }

    private void startWorkers(BlockingQueue<Pending> queue, int count, String name) {
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> run(queue), name + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /**
     * Queues a request; the future completes once every event is acknowledged by Kafka (or the
     * request is refused, or {@code ackTimeout} passes). {@code events} have distinct ids; the
     * request's own duplicates were folded by the caller and are counted in {@code foldedDuplicates}.
     */
    CompletableFuture<FeedbackIngest.Result> submit(List<Event> events, int foldedDuplicates) {
        Pending p = new Pending(events, foldedDuplicates);
        if (!running) {
            p.result.complete(new FeedbackIngest.Unavailable("the service is stopping"));
            return p.result;
        }
        (events.size() == 1 ? singles : arrays).add(p);
        return p.result.completeOnTimeout(new FeedbackIngest.Unavailable(
                "Kafka did not acknowledge within " + ackTimeout.toMillis() + " ms"), ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run(BlockingQueue<Pending> queue) {
        List<Pending> group = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                int events = first.events.size();
                long lingerUntil = System.nanoTime() + lingerNanos;
                while (events < maxEvents) {
                    Pending next = queue.poll();
                    if (next == null && lingerNanos > 0) {
                        long left = lingerUntil - System.nanoTime();
                        next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    }
                    if (next == null) {
                        break;
                    }
                    group.add(next);
                    events += next.events.size();
                }
                process(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("ingest group failed", e);
                fail(group, "internal error: " + e);
            } finally {
                group.clear();
            }
        }
    }

    private void process(List<Pending> group) {
        groupSize.record(group.size());
        List<ClaimStore.Decision> decisions;
        try {
            decisions = claims.claim(kind, group.stream().map(p -> p.events.stream().map(Event::claim).toList()).toList());
        } catch (SQLException e) {
            fail(group, "PostgreSQL: " + e.getMessage());
            return;
        }
        // Which records go to Kafka (each distinct id once) and which requests wait for each.
        Map<String, ProducerRecord<String, byte[]>> records = new LinkedHashMap<>();
        Map<String, List<Pending>> waiting = new HashMap<>();
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            ClaimStore.Decision d = decisions.get(i);
            if (d.refused()) {
                p.result.complete(new FeedbackIngest.Conflict(d.conflicts()));
                continue;
            }
            for (Event e : p.events) {
                String id = e.claim().id();
                if (d.fresh().contains(id) || d.resend().contains(id)) {
                    records.putIfAbsent(id, e.record());
                }
            }
            p.accepted = p.events.size() - d.duplicates().size(); // the request's new events
            p.duplicates = d.duplicates().size() + p.foldedDuplicates;
        }
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            if (decisions.get(i).refused()) {
                continue;
            }
            int awaits = 0;
            for (Event e : p.events) {
                if (records.containsKey(e.claim().id())) {
                    waiting.computeIfAbsent(e.claim().id(), k -> new ArrayList<>(1)).add(p);
                    awaits++;
                }
            }
            p.awaiting.set(awaits);
            p.sentAt = System.nanoTime();
            if (awaits == 0) {
                succeed(p); // every id was stored before: nothing to send
            }
        }
        for (Map.Entry<String, ProducerRecord<String, byte[]>> r : records.entrySet()) {
            List<Pending> waiters = waiting.get(r.getKey());
            try {
                producer.send(r.getValue(), (metadata, error) -> acknowledged(waiters, error));
            } catch (RuntimeException e) {
                acknowledged(waiters, e);
            }
        }
    }

    private void acknowledged(List<Pending> waiters, Exception error) {
        for (Pending p : waiters) {
            if (error != null) {
                p.result.complete(new FeedbackIngest.Unavailable("Kafka: " + error.getMessage()));
            } else if (p.awaiting.decrementAndGet() == 0) {
                ackLatency.record(System.nanoTime() - p.sentAt, TimeUnit.NANOSECONDS);
                succeed(p);
            }
        }
    }

    private void succeed(Pending p) {
        if (p.result.complete(new FeedbackIngest.Accepted(p.accepted, p.duplicates))) {
            accepted.increment(p.accepted);
            duplicates.increment(p.duplicates);
        }
    }

    private static void fail(List<Pending> group, String reason) {
        for (Pending p : group) {
            p.result.complete(new FeedbackIngest.Unavailable(reason));
        }
    }

    /** Stops taking requests; whatever is still queued is answered Unavailable. */
    @Override
    public void close() {
        running = false;
        workers.forEach(Thread::interrupt);
        try {
            for (Thread t : workers) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        arrays.drainTo(left);
        singles.drainTo(left);
        fail(left, "the service is stopping");
    }
}
