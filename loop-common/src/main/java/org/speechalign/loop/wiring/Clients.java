package org.speechalign.loop.wiring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.speechalign.migrations.Migrations;

/**
 * The PostgreSQL and Kafka clients of the services, configured alike everywhere: the services'
 * Micronaut factories only translate their typed settings into these calls.
 */
public final class Clients {

    private Clients() {
    }

    /**
     * A connection pool named {@code poolName}; with {@code migrate}, the Flyway migrations run
     * first (safe when several instances start at once).
     */
    public static HikariDataSource postgres(String poolName, String url, String user, String password, int maxPoolSize, boolean migrate) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        if (password != null && !password.isEmpty()) cfg.setPassword(password);
        cfg.setMaximumPoolSize(maxPoolSize);
        cfg.setPoolName(poolName);
        cfg.setConnectionTimeout(5_000);
        cfg.setInitializationFailTimeout(30_000);
        HikariDataSource ds = new HikariDataSource(cfg);
        if (migrate) Migrations.migrate(ds);
        return ds;
    }

    /** Kafka client properties: the pass-through ones (TLS, SASL, ...) plus the bootstrap servers. */
    public static Map<String, Object> kafka(Map<String, Object> passThrough, String bootstrapServers) {
        Map<String, Object> p = new HashMap<>(passThrough);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /** A producer whose acknowledgement means durable: acks=all, idempotent; lz4, requests up to 4 MiB (token payloads). */
    public static Producer<String, byte[]> durableProducer(Map<String, Object> client, String clientId) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** An admin client that answers health checks within seconds. */
    public static Admin admin(Map<String, Object> client) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        return Admin.create(p);
    }
}
