package org.speechalign.trainer;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.conventions.StringConvention;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.LoggerFactory;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.dpo.Devices;
import org.speechalign.loop.auth.KeyAuthenticator;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.registry.OutboxRelay;
import org.speechalign.loop.registry.Retention;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.loop.store.ModelStore;
import org.speechalign.loop.wiring.Clients;

/** Wires the plain classes of the trainer-worker from its typed settings. */
@Factory
final class TrainerBeans {

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(DatabaseSettings db) {
        return Clients.postgres("trainer-worker", db.url(), db.user(), db.password(), db.maxPoolSize(), db.migrate());
    }

    @Singleton
    @Bean(preDestroy = "close")
    Producer<String, byte[]> producer(KafkaSettings kafka, Environment env) {
        return Clients.durableProducer(clientProperties(kafka, env), "trainer-worker");
    }

    @Singleton
    @Bean(preDestroy = "close")
    Admin admin(KafkaSettings kafka, Environment env) {
        return Clients.admin(clientProperties(kafka, env));
    }

    @Singleton
    ModelStore modelStore(ModelStoreSettings s) throws IOException {
        return DirectoryModelStore.open(s.store());
    }

    @Singleton
    ModelRegistry registry(DataSource ds) {
        return new ModelRegistry(ds);
    }

    @Singleton
    GoldenRepository golden(DataSource ds) {
        return new GoldenRepository(ds);
    }

    @Singleton
    KeyAuthenticator authenticator(DataSource ds, TrainerSettings s) {
        return new KeyAuthenticator(new ApiKeys(ds), s.keyCacheTtl());
    }

    @Singleton
    OutboxRelay relay(ModelRegistry registry, Producer<String, byte[]> producer) {
        return new OutboxRelay(registry, producer, Duration.ofSeconds(30));
    }

    @Singleton
    Retention retention(ModelRegistry registry, ModelStore store, TrainerSettings s) {
        return new Retention(registry, store, new Retention.Rule(s.keepRollbackTargets(), s.retentionMinAge()));
    }

    @Singleton
    BatchClaims claims(DataSource ds, TrainerSettings s) {
        String id = s.workerId() != null && !s.workerId().isBlank() ? s.workerId()
                : hostName() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new BatchClaims(ds, id, s.lease(), s.maxAttempts());
    }

    @Singleton
    BatchTrainer trainer(DataSource ds, ModelRegistry registry, ModelStore store, GoldenRepository golden, OutboxRelay relay, TrainerSettings s,
                         MeterRegistry meters, BatchClaims claims) {
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "speechalign-trainer-" + claims.workerId());
        return new BatchTrainer(ds, registry, store, golden, relay, s, meters, work);
    }

    @Context
    @Bean(preDestroy = "close")
    TrainerWorker worker(KafkaSettings kafka, Environment env, BatchClaims claims, BatchTrainer trainer, OutboxRelay relay, Retention retention,
                         TrainerSettings s, MeterRegistry meters, ModelRegistry registry, ModelStore store) throws Exception {
        ai.djl.Device device = Devices.require(s.device());
        LoggerFactory.getLogger(TrainerBeans.class).info("trainer-worker device: {}", device);
        if (s.baseModel() != null && !s.baseModel().isBlank() && registry.serving(s.modelLine()).isEmpty()) {
            ModelStore.Stored st = store.put(Path.of(s.baseModel()));
            registry.bootstrap(new ModelRegistry.NewVersion(ModelRegistry.versionName(s.modelLine(), st.sha256()), s.modelLine(), null,
                    st.uri(), st.sha256(), Map.of(), null), "bootstrap:trainer-worker");
        }
        Map<String, Object> p = clientProperties(kafka, env);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "trainer-worker");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "trainer-worker-" + claims.workerId());
        return new TrainerWorker(new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()), claims, trainer, relay,
                retention, s, meters);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "worker";
        }
    }

    static Map<String, Object> clientProperties(KafkaSettings kafka, Environment env) {
        return Clients.kafka(env.getProperties("kafka.client", StringConvention.RAW), kafka.bootstrapServers());
    }
}
