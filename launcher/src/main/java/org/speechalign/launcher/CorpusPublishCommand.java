package org.speechalign.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.contracts.Json;
import org.speechalign.contracts.Topics;
import org.speechalign.corpus.CorpusFile;
import org.speechalign.corpus.Utterance;
import org.speechalign.loop.golden.TinySetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code speechalign corpus publish}: every utterance of a golden corpus folder onto
 * {@code speech.golden.v1} (compacted, key utterance_id), acks=all with the idempotent producer.
 * Publishing again replaces nothing that changed nothing: the topic keeps the latest record per id.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publishes a golden corpus folder to speech.golden.v1 (key utterance_id).",
                "Kafka: --bootstrap-servers or KAFKA_BOOTSTRAP_SERVERS (the embedded broker of `serve --embedded` is 127.0.0.1:19092)."})
final class CorpusPublishCommand implements Callable<Integer> {

    @Option(names = "--corpus", defaultValue = "corpus/builtin-v2", description = "corpus folder (default: ${DEFAULT-VALUE})")
    Path corpus;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS)")
    String bootstrap;

    @Override
    public Integer call() throws Exception {
        String servers = bootstrap != null ? bootstrap : System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (servers == null || servers.isBlank()) throw new UserFacingException("corpus publish needs --bootstrap-servers or KAFKA_BOOTSTRAP_SERVERS");
        List<Utterance> utterances = read(corpus);
        long t0 = System.nanoTime();
        int n = publish(servers, utterances, i -> { });
        System.out.printf("published %,d utterances of %s to %s in %.1f s%n", n, corpus, Topics.GOLDEN, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    static List<Utterance> read(Path dir) {
        try {
            return CorpusFile.read(dir).utterances();
        } catch (IOException e) {
            throw new UserFacingException("cannot read the golden corpus " + dir + ": " + e.getMessage());
        }
    }

    /** Sends every utterance and waits for every acknowledgement; {@code progress} gets each acknowledged count. */
    static int publish(String servers, List<Utterance> utterances, IntConsumer progress) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "speechalign-corpus-publish");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new java.util.ArrayList<>();
            for (Utterance u : utterances) {
                acks.add(producer.send(new ProducerRecord<>(Topics.GOLDEN, u.utteranceId(), Json.write(TinySetup.event(u)))));
            }
            int done = 0;
            for (Future<RecordMetadata> f : acks) {
                f.get();
                progress.accept(++done);
            }
            return done;
        }
    }
}
