package org.speechalign.synth;

import ai.djl.ndarray.NDManager;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.ModelVersion;
import org.speechalign.contracts.Topics;
import org.speechalign.contracts.Validation;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.SamplingConfig;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.store.ModelStore;

/**
 * Which model this instance serves, and the hot swap.
 *
 * <p>Start-up: the consumer of {@code speech.model-versions.v1} is assigned every partition and
 * positioned at their ends <em>before</em> the registry is read, so a promotion published between
 * the two is still seen. The registry's serving version is then loaded (or, if the line serves
 * none and {@code synth.base-model} is set, that archive is stored, registered and promoted).
 *
 * <p>Each {@code promoted} event of the line: fetch the artifact from its URI, verify its sha-256
 * while copying, load it (the archive verifies itself again, entry by entry), run one short
 * generation as a smoke test, then swap. Any failure is refused and logged, counted in
 * {@code synth_model_refused_total}, shown by {@code GET /v1/models}, and the old model keeps
 * serving. Every instance reads every event (no consumer group): each must swap.
 */
final class ModelLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLifecycle.class);

    /** The last refusal, for GET /v1/models. */
    record Refusal(String version, String artifactUri, String reason, Instant at) {
    }

    private final Consumer<String, byte[]> consumer;
    private final ModelStore store;
    private final ModelRegistry registry;
    private final ServingModel serving;
    private final SynthSettings settings;
    private final MeterRegistry meters;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Refusal lastRefusal;

    ModelLifecycle(Consumer<String, byte[]> consumer, ModelStore store, ModelRegistry registry, ServingModel serving,
                   SynthSettings settings, MeterRegistry meters) throws Exception {
        this.consumer = consumer;
        this.store = store;
        this.registry = registry;
        this.serving = serving;
        this.settings = settings;
        this.meters = meters;
        List<TopicPartition> parts = consumer.partitionsFor(Topics.MODEL_VERSIONS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        for (TopicPartition p : parts) consumer.position(p, Duration.ofSeconds(30));
        initialLoad();
        thread = new Thread(this::loop, "synth-model-versions");
        thread.setDaemon(true);
        thread.start();
    }

    private void initialLoad() throws Exception {
        ModelRegistry.Version v = registry.serving(settings.modelLine()).orElse(null);
        if (v == null && settings.baseModel() != null && !settings.baseModel().isBlank()) {
            ModelStore.Stored s = store.put(Path.of(settings.baseModel()));
            v = registry.bootstrap(new ModelRegistry.NewVersion(ModelRegistry.versionName(settings.modelLine(), s.sha256()),
                    settings.modelLine(), null, s.uri(), s.sha256(), Map.of(), null), "bootstrap:synth-service");
            LOG.info("model line {} served no version: bootstrapped {} from {}", settings.modelLine(), v.version(), settings.baseModel());
        }
        if (v == null) {
            LOG.warn("model line {} serves no version yet: /v1/synthesize answers 503 until one is promoted", settings.modelLine());
            return;
        }
        if (!load(v.version(), v.artifactUri(), v.artifactSha256(), null)) {
            LOG.error("the serving version {} of line {} could not be loaded; waiting for the next promotion", v.version(), settings.modelLine());
        }
    }

    private void loop() {
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    handle(rec);
                }
            } catch (WakeupException e) {
                if (!running) break;
            } catch (RuntimeException e) {
                LOG.error("model-versions consumer: {}", e.toString(), e);
            }
        }
    }

    private void handle(ConsumerRecord<String, byte[]> rec) {
        ModelVersion mv;
        try {
            mv = Validation.readValid(rec.value(), ModelVersion.class);
        } catch (Exception e) {
            LOG.warn("ignoring an invalid {} record at {}-{}@{}: {}", Topics.MODEL_VERSIONS, rec.topic(), rec.partition(), rec.offset(), e.getMessage());
            meters.counter("synth.model.events.invalid").increment();
            return;
        }
        if (!settings.modelLine().equals(mv.modelLine()) || mv.status() != ModelVersion.Status.PROMOTED) return;
        ServingModel.Loaded now = serving.peek();
        if (now != null && now.version.equals(mv.version()) && now.sha256.equals(mv.artifactSha256())) return;
        if (load(mv.version(), mv.artifactUri(), mv.artifactSha256(), mv.createdAt())) {
            meters.counter("synth.model.swaps").increment();
        }
    }

    /** Fetches, verifies, loads, smoke-tests and swaps; false (old model kept) on any failure. */
    boolean load(String version, String uri, String sha256, Instant publishedAt) {
        CodecLm lm = null;
        try {
            Path local = store.fetch(uri, sha256);
            lm = CodecLm.load(local, sha256);
            smokeTest(lm);
            serving.swap(new ServingModel.Loaded(lm, version, sha256));
            if (publishedAt != null) {
                meters.timer("synth.model.swap.latency").record(Duration.between(publishedAt, Instant.now()));
            }
            LOG.info("serving model {} (sha256 {})", version, sha256);
            return true;
        } catch (Exception e) {
            if (lm != null) lm.close();
            lastRefusal = new Refusal(version, uri, e.getMessage(), Instant.now());
            meters.counter("synth.model.refused").increment();
            ServingModel.Loaded old = serving.peek();
            LOG.error("refused model {} from {}: {}; still serving {}", version, uri, e.getMessage(), old == null ? "nothing" : old.version);
            return false;
        }
    }

    private void smokeTest(CodecLm lm) {
        List<String> phones = List.of("pau", "pau");
        String speaker = lm.config().speakers().isEmpty() ? "" : lm.config().speakers().get(0);
        try (NDManager m = lm.manager().newSubManager()) {
            lm.generator().generate(m, List.of(new GenerationRequest(speaker, phones, 1)), new SamplingConfig(1.0, 0, 1.0, 2), true);
        }
    }

    Refusal lastRefusal() {
        return lastRefusal;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close(Duration.ofSeconds(5));
        serving.close();
    }
}
