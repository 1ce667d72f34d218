package org.speechalign.synth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Synthesis;
import org.speechalign.contracts.Topics;

/** Emits syntheses on {@code speech.synthesis.v1} (key synthesis_id) and waits for acks=all. */
final class SynthesisPublisher {

    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Producer<String, byte[]> producer;
    private final Duration ackTimeout;

    SynthesisPublisher(Producer<String, byte[]> producer, Duration ackTimeout) {
        this.producer = producer;
        this.ackTimeout = ackTimeout;
    }

    void publish(List<Synthesis> syntheses) throws Unavailable {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (Synthesis s : syntheses) {
            acks.add(producer.send(new ProducerRecord<>(Topics.SYNTHESIS, s.synthesisId(), Json.write(s))));
        }
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        try {
            for (Future<RecordMetadata> f : acks) f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting for Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new Unavailable("Kafka did not acknowledge the synthesis events: " + e, e);
        }
    }
}
