package org.speechalign.feedback;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.conventions.StringConvention;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.contracts.auth.ApiKeys;
import org.speechalign.migrations.Migrations;

/** Wires the plain classes of the feedback-service from its typed settings. */
@Factory
final class FeedbackBeans {

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(DatabaseSettings db) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(db.url());
        cfg.setUsername(db.user());
        if (db.password() != null && !db.password().isEmpty()) {
            cfg.setPassword(db.password());
        }
        cfg.setMaximumPoolSize(db.maxPoolSize());
        cfg.setPoolName("feedback-service");
        cfg.setConnectionTimeout(5_000);
        cfg.setInitializationFailTimeout(30_000);
        // Plan each prepared statement once per connection, not at every execution: PostgreSQL's
        // default keeps re-planning the claim statement (a generic plan for an array parameter looks
        // costlier than a custom one for a few ids), which cost more than executing it for small
        // groups. Every statement of this service is written so that its generic plan uses the
        // indexes (ClaimStore's LATERAL … LIMIT 1; ids by = ANY(array)).
        cfg.setConnectionInitSql("SET plan_cache_mode = force_generic_plan");
        HikariDataSource ds = new HikariDataSource(cfg);
        if (db.migrate()) {
            Migrations.migrate(ds);
        }
        return ds;
    }

    @Singleton
    @Bean(preDestroy = "close")
    Producer<String, byte[]> producer(KafkaSettings kafka, Environment env) {
        Map<String, Object> p = clientProperties(kafka, env);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, kafka.lingerMs());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, kafka.compression());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "feedback-service");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Singleton
    @Bean(preDestroy = "close")
    Admin admin(KafkaSettings kafka, Environment env) {
        Map<String, Object> p = clientProperties(kafka, env);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        return Admin.create(p);
    }

    @Singleton
    ApiKeys apiKeys(DataSource dataSource) {
        return new ApiKeys(dataSource);
    }

    @Singleton
    Authenticator authenticator(ApiKeys keys, FeedbackSettings settings) {
        return new Authenticator(keys, settings.keyCacheTtl());
    }

    @Singleton
    RateLimiter rateLimiter(FeedbackSettings settings) {
        return new RateLimiter(settings.maxBatchSize());
    }

    @Singleton
    @Bean(preDestroy = "close")
    FeedbackIngest ingest(DataSource dataSource, Producer<String, byte[]> producer, FeedbackSettings settings, MeterRegistry meters) {
        return new FeedbackIngest(new ClaimStore(dataSource), producer, settings.ackTimeout(), settings.claimSingleWorkers(),
                settings.claimWorkers(), settings.claimGroupEvents(), settings.claimLinger(), meters);
    }

    @Singleton
    RaterErasure erasure(DataSource dataSource) {
        return new RaterErasure(dataSource);
    }

    @Singleton
    HealthCheck health(DataSource dataSource, Admin admin) {
        return new HealthCheck(dataSource, admin);
    }

    @Context
    @Requires(property = "feedback.sink-enabled", notEquals = "false")
    @Bean(preDestroy = "close")
    FeedbackSink sink(KafkaSettings kafka, Environment env, FeedbackSettings settings, Producer<String, byte[]> producer,
                      DataSource dataSource) {
        if (settings.sinkConsumers() < 1) {
            throw new IllegalArgumentException("feedback.sink-consumers must be at least 1 (for no sink here set "
                    + "FEEDBACK_SINK_ENABLED=false), was " + settings.sinkConsumers());
        }
        Map<String, Object> p = clientProperties(kafka, env);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.sinkGroupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        // Each poll costs a PostgreSQL transaction and an offset commit: under a stream of small
        // requests, wait up to 100 ms for 64 KB (about 400 ratings) rather than fetching every few records.
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        List<Consumer<String, byte[]>> consumers = new ArrayList<>();
        for (int i = 0; i < settings.sinkConsumers(); i++) {
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "feedback-service-sink-" + i);
            consumers.add(new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()));
        }
        FeedbackSink sink = new FeedbackSink(consumers, producer, dataSource);
        sink.start();
        return sink;
    }

    /** Bootstrap servers plus every {@code kafka.client.*} property (TLS, SASL, …) passed through. */
    static Map<String, Object> clientProperties(KafkaSettings kafka, Environment env) {
        Map<String, Object> p = new HashMap<>(env.getProperties("kafka.client", StringConvention.RAW));
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return p;
    }
}
