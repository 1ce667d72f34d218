package org.speechalign.synth;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.conventions.StringConvention;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.loop.auth.KeyAuthenticator;
import org.speechalign.loop.golden.GoldenRepository;
import org.speechalign.loop.registry.ModelRegistry;
import org.speechalign.loop.store.DirectoryModelStore;
import org.speechalign.loop.store.ModelStore;
import org.speechalign.loop.wiring.Clients;

/** Wires the plain classes of the synth-service from its typed settings. */
@Factory
final class SynthBeans {

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(DatabaseSettings db) {
        return Clients.postgres("synth-service", db.url(), db.user(), db.password(), db.maxPoolSize(), db.migrate());
    }

    @Singleton
    @Bean(preDestroy = "close")
    Producer<String, byte[]> producer(KafkaSettings kafka, Environment env) {
        return Clients.durableProducer(clientProperties(kafka, env), "synth-service");
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
    KeyAuthenticator authenticator(DataSource ds, SynthSettings s) {
        return new KeyAuthenticator(new ApiKeys(ds), s.keyCacheTtl());
    }

    @Singleton
    ServingModel servingModel() {
        return new ServingModel();
    }

    @Singleton
    Synthesizer synthesizer(SynthSettings s) {
        return new Synthesizer(s);
    }

    @Singleton
    FrontEnd frontEnd() {
        return new FrontEnd("t2p");
    }

    @Singleton
    SynthesisPublisher publisher(Producer<String, byte[]> producer, SynthSettings s) {
        return new SynthesisPublisher(producer, s.ackTimeout());
    }

    @Singleton
    SynthesisStore synthesisStore(DataSource ds, SynthSettings s) {
        return new SynthesisStore(ds, s.audioCacheSize());
    }

    @Singleton
    HealthCheck health(DataSource ds, Admin admin, ServingModel serving) {
        return new HealthCheck(ds, admin, serving);
    }

    @Context
    @Bean(preDestroy = "close")
    ModelLifecycle lifecycle(KafkaSettings kafka, Environment env, ModelStore store, ModelRegistry registry, ServingModel serving,
                             SynthSettings s, MeterRegistry meters) throws Exception {
        Map<String, Object> p = clientProperties(kafka, env);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "synth-service-model-versions");
        return new ModelLifecycle(new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()), store, registry, serving, s, meters);
    }

    @Context
    @Bean(preDestroy = "close")
    SelfPlay selfPlay(GoldenRepository golden, ServingModel serving, Synthesizer synthesizer, SynthesisPublisher publisher,
                      SynthesisStore store, SynthSettings s, MeterRegistry meters) {
        SelfPlay sp = new SelfPlay(golden, serving, synthesizer, publisher, store, s, meters);
        if (s.selfPlayEnabled()) sp.start();
        return sp;
    }

    static Map<String, Object> clientProperties(KafkaSettings kafka, Environment env) {
        return Clients.kafka(env.getProperties("kafka.client", StringConvention.RAW), kafka.bootstrapServers());
    }
}
