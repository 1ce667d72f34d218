package org.speechalign.migrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.speechalign.embedded.SharedTestRuntime;

class MigrationsTest {

    static DataSource ds;

    @BeforeAll
    static void migrateConcurrently() throws Exception {
        ds = SharedTestRuntime.get().postgres().dataSource();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> instances = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                instances.add(() -> Migrations.migrate(ds));
            }
            int applied = 0;
            for (Future<Integer> f : pool.invokeAll(instances)) {
                applied += f.get();
            }
            int versions = org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).dataSource(ds)
                    .locations(Migrations.LOCATION).load().info().applied().length;
            assertTrue(versions >= 1);
            assertEquals(versions, applied, "four instances starting at once apply each migration exactly once");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, Migrations.migrate(ds));
    }

    @Test
    void everyTableAndViewOfTheIssueExists() throws Exception {
        Set<String> relations = strings("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')");
        assertTrue(relations.containsAll(Set.of("golden_utterances", "syntheses", "ratings", "comparisons",
                "preference_pairs", "training_batches", "training_metrics", "model_versions", "model_events",
                "api_keys", "ratings_by_model_version", "win_rate_vs_parent_comparisons", "win_rate_vs_parent_ratings",
                "preference_pairs_by_source_and_version", "training_metrics_per_batch")), relations.toString());
    }

    @Test
    void everyTableViewAndColumnHasAComment() throws Exception {
        Set<String> bare = strings("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND c.relname <> 'flyway_schema_history' "
                + "AND obj_description(c.oid, 'pg_class') IS NULL");
        assertEquals(Set.of(), bare, "tables/views without COMMENT");
        Set<String> bareColumns = strings("SELECT c.relname || '.' || a.attname FROM pg_attribute a "
                + "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND c.relname <> 'flyway_schema_history' "
                + "AND a.attnum > 0 AND NOT a.attisdropped AND col_description(c.oid, a.attnum) IS NULL");
        assertEquals(Set.of(), bareColumns, "columns without COMMENT");
    }

    @Test
    void viewsAnswerOnSmallData() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO model_versions (version, artifact_uri, artifact_sha256, status) VALUES "
                    + "('v1', 'file:///a', '" + "a".repeat(64) + "', 'promoted'), ('v2', 'file:///b', '" + "b".repeat(64) + "', 'candidate')");
            s.execute("UPDATE model_versions SET parent_version = 'v1' WHERE version = 'v2'");
            s.execute("INSERT INTO syntheses (synthesis_id, origin, text, speaker, phones, tokens, model_version, created_at) VALUES "
                    + "('s1', 'product', 'hi', 'slt', '[]', '{{1,2}}', 'v1', now()), ('s2', 'product', 'hi', 'slt', '[]', '{{1,2}}', 'v2', now())");
            s.execute("INSERT INTO ratings (rating_id, synthesis_id, rater_id, score, created_at, payload_sha256, kafka_partition, kafka_offset) VALUES "
                    + "('r1', 's1', 'p', 2, now(), 'x', 0, 0), ('r2', 's2', 'p', 5, now(), 'x', 0, 1)");
            s.execute("INSERT INTO comparisons (comparison_id, synthesis_a, synthesis_b, winner, rater_id, created_at, payload_sha256, kafka_partition, kafka_offset) VALUES "
                    + "('c1', 's1', 's2', 'b', 'p', now(), 'x', 0, 0)");
            try (ResultSet rs = s.executeQuery("SELECT mean_score, score_5 FROM ratings_by_model_version WHERE model_version = 'v2'")) {
                assertTrue(rs.next());
                assertEquals(5.0, rs.getDouble(1));
                assertEquals(1, rs.getInt(2));
            }
            try (ResultSet rs = s.executeQuery("SELECT wins, win_rate FROM win_rate_vs_parent_comparisons WHERE version = 'v2'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals(1.0, rs.getDouble(2));
            }
            try (ResultSet rs = s.executeQuery("SELECT wins, matched_pairs FROM win_rate_vs_parent_ratings WHERE version = 'v2'")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
            }
            s.executeQuery("SELECT * FROM preference_pairs_by_source_and_version").close();
            s.executeQuery("SELECT * FROM training_metrics_per_batch").close();
            c.rollback();
        }
    }

    static Set<String> strings(String sql) throws Exception {
        Set<String> out = new TreeSet<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
