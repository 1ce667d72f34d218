package org.speechalign.synth;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.Synthesis;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.lm.Examples;
import org.speechalign.loop.golden.GoldenRepository;

/**
 * The paper's synthetic tokens, continuously: every {@code selfPlayInterval}, the serving model
 * speaks {@code selfPlayBatchSize} random train-split golden utterances (their own phones, so the
 * pair with the golden tokens is like for like) and each sample goes out on
 * {@code speech.synthesis.v1} as origin {@code self_play} with its {@code utterance_id}; pref-builder
 * pairs it with the golden tokens. Test-split utterances are never read (the repository's query
 * selects {@code split = 'train'}, and this class checks it again).
 */
public final class SelfPlay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SelfPlay.class);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "synth-self-play");
        t.setDaemon(true);
        return t;
    });
    private final GoldenRepository golden;
    private final ServingModel serving;
    private final Synthesizer synthesizer;
    private final SynthesisPublisher publisher;
    private final SynthesisStore store;
    private final SynthSettings settings;
    private final MeterRegistry meters;

    SelfPlay(GoldenRepository golden, ServingModel serving, Synthesizer synthesizer, SynthesisPublisher publisher, SynthesisStore store,
             SynthSettings settings, MeterRegistry meters) {
        this.golden = golden;
        this.serving = serving;
        this.synthesizer = synthesizer;
        this.publisher = publisher;
        this.store = store;
        this.settings = settings;
        this.meters = meters;
    }

    void start() {
        long ms = settings.selfPlayInterval().toMillis();
        timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
        LOG.info("self-play: {} train-split utterances every {}", settings.selfPlayBatchSize(), settings.selfPlayInterval());
    }

    /** One batch; returns the syntheses emitted. */
    public List<Synthesis> runOnce() throws Exception {
        try (ServingModel.Lease lease = serving.acquire()) {
            if (lease == null) return List.of();
            List<Synthesizer.Request> reqs = new ArrayList<>();
            for (Utterance u : golden.trainSample(settings.selfPlayBatchSize())) {
                if (u.split() != Split.TRAIN) continue; // held out means held out
                reqs.add(new Synthesizer.Request(u.text(), u.speaker(), Examples.symbols(u.phones()), 1, settings.selfPlayTemperature(),
                        ThreadLocalRandom.current().nextLong(1L << 48), Synthesis.Origin.SELF_PLAY, u.utteranceId()));
            }
            if (reqs.isEmpty()) return List.of();
            List<Synthesis> out = synthesizer.synthesize(lease.model, reqs);
            publisher.publish(out);
            for (Synthesis s : out) store.put(s.synthesisId(), s.tokens());
            meters.counter("synth.self_play.syntheses").increment(out.size());
            return out;
        }
    }

    private void tick() {
        try {
            runOnce();
        } catch (Exception e) {
            LOG.warn("self-play batch failed: {}", e.toString());
            meters.counter("synth.self_play.failures").increment();
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(30, TimeUnit.SECONDS);
    }
}
