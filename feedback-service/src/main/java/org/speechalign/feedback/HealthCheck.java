package org.speechalign.feedback;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;

/** Ready only when both Kafka (a metadata answer) and PostgreSQL (a valid connection) respond. */
final class HealthCheck {

    private final DataSource dataSource;
    private final Admin admin;

    HealthCheck(DataSource dataSource, Admin admin) {
        this.dataSource = dataSource;
        this.admin = admin;
    }

    /** Component → "UP" or "DOWN: reason". */
    Map<String, String> check() {
        Map<String, String> status = new LinkedHashMap<>();
        try {
            int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
            status.put("kafka", nodes > 0 ? "UP" : "DOWN: no broker");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            status.put("kafka", "DOWN: " + e.getClass().getSimpleName());
        }
        try (Connection c = dataSource.getConnection()) {
            status.put("postgres", c.isValid(2) ? "UP" : "DOWN: invalid connection");
        } catch (Exception e) {
            status.put("postgres", "DOWN: " + e.getClass().getSimpleName());
        }
        return status;
    }

    static boolean up(Map<String, String> status) {
        return status.values().stream().allMatch("UP"::equals);
    }
}
