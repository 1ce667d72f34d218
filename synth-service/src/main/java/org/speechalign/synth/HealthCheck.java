package org.speechalign.synth;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;

/** Ready when Kafka and PostgreSQL answer and a model is loaded. */
final class HealthCheck {

    private final DataSource dataSource;
    private final Admin admin;
    private final ServingModel serving;

    HealthCheck(DataSource dataSource, Admin admin, ServingModel serving) {
        this.dataSource = dataSource;
        this.admin = admin;
        this.serving = serving;
    }

    Map<String, String> check() {
        Map<String, String> status = new LinkedHashMap<>();
        try {
            int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
            status.put("kafka", nodes > 0 ? "UP" : "DOWN: no broker");
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            status.put("kafka", "DOWN: " + e.getClass().getSimpleName());
        }
        try (Connection c = dataSource.getConnection()) {
            status.put("postgres", c.isValid(2) ? "UP" : "DOWN: invalid connection");
        } catch (Exception e) {
            status.put("postgres", "DOWN: " + e.getClass().getSimpleName());
        }
        ServingModel.Loaded m = serving.peek();
        status.put("model", m == null ? "DOWN: no model loaded" : "UP");
        return status;
    }

    static boolean up(Map<String, String> status) {
        return status.values().stream().allMatch("UP"::equals);
    }
}
