package org.speechalign.contracts;

import java.util.List;
import java.util.Optional;

/**
 * Every Kafka topic of the platform, in one place. A breaking change to an event means a new
 * {@code .v2} topic, never an edit of a {@code .v1} one. Every input topic has a dead-letter
 * topic {@code <topic>.dlq} whose records are {@link DeadLetter}s.
 */
public final class Topics {

    /** Partitions of every platform topic unless overridden: the unit of consumer parallelism. */
    public static final int DEFAULT_PARTITIONS = 3;

    public static final String GOLDEN = "speech.golden.v1";
    public static final String SYNTHESIS = "speech.synthesis.v1";
    public static final String RATINGS = "speech.ratings.v1";
    public static final String COMPARISONS = "speech.comparisons.v1";
    public static final String PREFERENCES = "speech.preferences.v1";
    public static final String TRAINING_BATCHES = "speech.training-batches.v1";
    public static final String MODEL_VERSIONS = "speech.model-versions.v1";

    /** Suffix of a dead-letter topic. */
    public static final String DLQ_SUFFIX = ".dlq";

    /**
     * One event topic.
     *
     * @param name      topic name
     * @param keyField  the JSON field whose value is the record key
     * @param eventType the Java record carried as value
     * @param compacted whether the topic is log-compacted (latest value per key kept forever)
     */
    public record Topic(String name, String keyField, Class<?> eventType, boolean compacted) {
        /** Name of this topic's dead-letter topic. */
        public String dlq() {
            return dlqOf(name);
        }

        /** File name of this topic's JSON Schema under {@code schemas/} on the classpath. */
        public String schemaResource() {
            return "schemas/" + name + ".schema.json";
        }
    }

    /** All event topics, in data-flow order. */
    public static final List<Topic> ALL = List.of(
            new Topic(GOLDEN, "utterance_id", GoldenUtterance.class, true),
            new Topic(SYNTHESIS, "synthesis_id", Synthesis.class, false),
            new Topic(RATINGS, "synthesis_id", Rating.class, false),
            new Topic(COMPARISONS, "comparison_id", Comparison.class, false),
            new Topic(PREFERENCES, "pair_id", Preference.class, false),
            new Topic(TRAINING_BATCHES, "batch_id", TrainingBatch.class, false),
            new Topic(MODEL_VERSIONS, "model_line", ModelVersion.class, false));

    /** JSON Schema resource of the dead-letter record (the same for every {@code .dlq} topic). */
    public static final String DLQ_SCHEMA_RESOURCE = "schemas/dead-letter.schema.json";

    private Topics() {
    }

    public static String dlqOf(String topic) {
        return topic + DLQ_SUFFIX;
    }

    /** Every topic name the platform uses: the event topics and their dead-letter topics. */
    public static List<String> allNamesWithDlq() {
        return ALL.stream().flatMap(t -> java.util.stream.Stream.of(t.name(), t.dlq())).toList();
    }

    public static Optional<Topic> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
