package org.speechalign.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.TrainingBatch;
import org.speechalign.contracts.Validation;
import org.speechalign.loop.registry.OutboxRelay;
import org.speechalign.loop.registry.Retention;

/**
 * The worker's loop. Kafka ({@code speech.training-batches.v1}, consumer group
 * {@code trainer-worker}) is the wake-up call; PostgreSQL is the truth: every announcement, and a
 * sweep every {@code sweepInterval}, tries to claim a batch (the announced one first). One batch
 * trains at a time per worker, its lease renewed every third of the lease time; more workers
 * train more batches at once. The sweep also republishes any model event a crashed worker left
 * unpublished, and runs retention every {@code retentionInterval}.
 */
final class TrainerWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerWorker.class);

    private final Consumer<String, byte[]> consumer;
    private final BatchClaims claims;
    private final BatchTrainer trainer;
    private final OutboxRelay relay;
    private final Retention retention;
    private final TrainerSettings settings;
    private final MeterRegistry meters;
    private final ExecutorService training = Executors.newSingleThreadExecutor(r -> daemon(r, "trainer-batch"));
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> daemon(r, "trainer-timers"));
    private final Thread poller;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile BatchTrainer.Outcome lastOutcome;
    private volatile AtomicBoolean current;

    TrainerWorker(Consumer<String, byte[]> consumer, BatchClaims claims, BatchTrainer trainer, OutboxRelay relay, Retention retention,
                  TrainerSettings settings, MeterRegistry meters) {
        this.consumer = consumer;
        this.claims = claims;
        this.trainer = trainer;
        this.relay = relay;
        this.retention = retention;
        this.settings = settings;
        this.meters = meters;
        consumer.subscribe(List.of(Topics.TRAINING_BATCHES));
        poller = daemon(this::poll, "trainer-batches-consumer");
        poller.start();
        long sweep = Math.max(100, settings.sweepInterval().toMillis());
        timers.scheduleWithFixedDelay(this::sweep, 0, sweep, TimeUnit.MILLISECONDS);
        long gc = settings.retentionInterval().toMillis();
        if (gc > 0) timers.scheduleWithFixedDelay(this::collect, gc, gc, TimeUnit.MILLISECONDS);
        LOG.info("trainer-worker {} on line {} (lease {}, sweep {})", claims.workerId(), settings.modelLine(), settings.lease(), settings.sweepInterval());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void poll() {
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        TrainingBatch b = Validation.readValid(rec.value(), TrainingBatch.class);
                        trigger(b.batchId());
                    } catch (Exception e) {
                        LOG.warn("ignoring an invalid {} record at offset {}: {}", Topics.TRAINING_BATCHES, rec.offset(), e.getMessage());
                    }
                }
                consumer.commitAsync();
            } catch (WakeupException e) {
                if (!running) break;
            } catch (RuntimeException e) {
                LOG.error("training-batches consumer: {}", e.toString());
            }
        }
    }

    private void sweep() {
        try {
            relay.publishPending();
        } catch (Exception e) {
            LOG.warn("outbox relay: {}", e.getMessage());
        }
        trigger(null);
    }

    private void collect() {
        try {
            Retention.Result r = retention.collect("retention:" + claims.workerId());
            if (!r.deletedVersions().isEmpty() || !r.deletedOrphans().isEmpty()) {
                LOG.info("retention deleted the artifacts of {} and {} orphan files", r.deletedVersions(), r.deletedOrphans().size());
            }
        } catch (Exception e) {
            LOG.warn("retention: {}", e.getMessage());
        }
    }

    /** Starts training a claimable batch (this one first, if given) unless this worker is busy. */
    void trigger(String batchId) {
        if (!running || !busy.compareAndSet(false, true)) return;
        try {
            training.execute(() -> {
                try {
                    runClaims(batchId);
                } finally {
                    busy.set(false);
                }
            });
        } catch (RuntimeException e) {
            busy.set(false);
        }
    }

    private void runClaims(String first) {
        String wanted = first;
        while (running) {
            Optional<BatchClaims.Claim> claim;
            try {
                claim = claims.claim(wanted);
                if (claim.isEmpty() && wanted != null) claim = claims.claim(null);
            } catch (Exception e) {
                LOG.warn("claiming a batch: {}", e.getMessage());
                return;
            }
            if (claim.isEmpty()) return;
            run(claim.get());
            wanted = null;
        }
    }

    private void run(BatchClaims.Claim claim) {
        AtomicBoolean lost = new AtomicBoolean(!running);
        current = lost;
        long every = Math.max(100, settings.lease().toMillis() / 3);
        ScheduledFuture<?> heartbeat = timers.scheduleWithFixedDelay(() -> {
            try {
                if (!claims.renew(claim)) lost.set(true);
            } catch (Exception e) {
                LOG.warn("renewing the lease of batch {}: {}", claim.batchId(), e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        LOG.info("claimed batch {} (attempt {}, {} pairs)", claim.batchId(), claim.attempt(), claim.pairCount());
        try {
            lastOutcome = trainer.train(claims, claim, lost);
        } catch (BatchTrainer.ClaimLost e) {
            LOG.warn("{}: stopping without a result", e.getMessage());
            meters.counter("trainer.batches", "result", "claim_lost").increment();
        } catch (Exception e) {
            LOG.error("batch {} attempt {} failed: {}", claim.batchId(), claim.attempt(), e.toString(), e);
            meters.counter("trainer.batches", "result", "error").increment();
            try {
                claims.fail(claim, e.toString());
            } catch (Exception f) {
                LOG.warn("recording the failure of batch {}: {}", claim.batchId(), f.getMessage());
            }
        } finally {
            heartbeat.cancel(false);
        }
    }

    BatchTrainer.Outcome lastOutcome() {
        return lastOutcome;
    }

    boolean busy() {
        return busy.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        AtomicBoolean c = current;
        if (c != null) c.set(true); // stops the run at its next step; the batch is reclaimed after the lease
        consumer.wakeup();
        poller.join(10_000);
        consumer.close(Duration.ofSeconds(5));
        timers.shutdownNow();
        training.shutdownNow();
        training.awaitTermination(60, TimeUnit.SECONDS);
    }
}
