package org.speechalign.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.contracts.Json;

/**
 * The dashboard: a static page ({@code /dashboard/}, plain JS drawing inline SVG charts, no CDN)
 * and the read-only JSON it draws from ({@code /dashboard/api/summary}), which reads the documented
 * views ({@code ratings_by_model_version_over_time}, {@code ratings_by_model_version},
 * {@code win_rate_vs_parent_ratings}, {@code win_rate_vs_parent_comparisons},
 * {@code preference_pairs_by_source_and_version}, {@code training_metrics_per_batch},
 * {@code model_registry}, {@code model_serving_history}) and the {@code training_metrics} and
 * {@code syntheses} tables — the same queries README gives for Grafana and psql. Reads need no key
 * (put the service behind your own access control in production); the page's promote and rollback
 * buttons call the admin API with the admin key typed into the page.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "dashboard", description = "The dashboard page and the read-only JSON it draws; no key (put the service behind your own "
        + "access control in production). The page's promote and rollback buttons call the admin API with an admin key.")
final class DashboardController {

    static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final DataSource dataSource;
    private final TrainerSettings settings;
    private volatile Codec2Codec codec;

    DashboardController(DataSource dataSource, TrainerSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /** {@code /dashboard}, {@code /dashboard/} (the page) and its two assets. */
    @Operation(summary = "The dashboard page and its assets", description = "/dashboard and /dashboard/ are the page (index.html); "
            + "its assets are dashboard.js and dashboard.css. No key.")
    @ApiResponse(responseCode = "200", description = "The page or asset.", content = {
        @Content(mediaType = "text/html",
                    schema = @Schema(type = "string")),
        @Content(mediaType = "text/javascript",
                    schema = @Schema(type = "string")),
        @Content(mediaType = "text/css", schema = @Schema(type = "string"))})
    @ApiResponse(responseCode = "404", description = "Not one of index.html, dashboard.js, dashboard.css.")
    @Get("/dashboard{/file}")
    HttpResponse<?> asset(@Parameter(description = "index.html (default), dashboard.js or dashboard.css.")
                          @Nullable @PathVariable("file") String file) throws IOException {
        String name = file == null || file.isEmpty() ? "index.html" : file;
        String type = ASSETS.get(name);
        if (type == null) return HttpResponse.notFound();
        try (InputStream in = DashboardController.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) return HttpResponse.notFound();
            return HttpResponse.ok(in.readAllBytes()).contentType(type).header("Cache-Control", "no-cache");
        }
    }

    @Operation(summary = "What the dashboard draws", description = "Rows of the documented views for this worker's model line. No key.")
    @ApiResponse(responseCode = "200", description = "The rows.", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiSchemas.Summary.class)))
    @ApiResponse(responseCode = "503", description = "PostgreSQL is unreachable.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ApiSchemas.Unavailable.class)))
    @Get(uri = "/dashboard/api/summary", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> summary() {
        String line = settings.modelLine();
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setReadOnly(true);
            m.put("model_line", line);
            m.put("ratings_over_time", rows(c, "SELECT model_version, minute, ratings, mean_score FROM ratings_by_model_version_over_time "
                    + "ORDER BY minute, model_version"));
            m.put("ratings_by_version", rows(c, "SELECT model_version, ratings, raters, mean_score, score_1, score_2, score_3, score_4, score_5 "
                    + "FROM ratings_by_model_version ORDER BY model_version"));
            m.put("win_rates_ratings", rows(c, "SELECT version, parent_version, matched_pairs, wins, losses, ties, win_rate, mean_score_difference "
                    + "FROM win_rate_vs_parent_ratings ORDER BY version"));
            m.put("win_rates_comparisons", rows(c, "SELECT version, parent_version, comparisons, wins, losses, ties, win_rate "
                    + "FROM win_rate_vs_parent_comparisons ORDER BY version"));
            m.put("pairs_by_source", rows(c, "SELECT source, rejected_model_version, pairs, unbatched, batched "
                    + "FROM preference_pairs_by_source_and_version ORDER BY source, rejected_model_version"));
            m.put("batches", rows(c, "SELECT batch_id, status, pair_count, attempts, result_version, steps, first_loss, last_loss, "
                    + "last_reward_accuracy, last_reward_margin, created_at, finished_at FROM training_metrics_per_batch "
                    + "ORDER BY created_at DESC LIMIT 20"));
            m.put("training_curves", rows(c, "SELECT m.batch_id, m.step, m.loss, m.reward_accuracy, m.reward_margin FROM training_metrics m "
                    + "JOIN (SELECT batch_id, max(attempt) AS attempt FROM training_metrics GROUP BY batch_id) a "
                    + "ON a.batch_id = m.batch_id AND a.attempt = m.attempt "
                    + "WHERE m.batch_id IN (SELECT batch_id FROM training_batches ORDER BY created_at DESC LIMIT 10) "
                    + "ORDER BY m.batch_id, m.step"));
            m.put("registry", rows(c, "SELECT version, parent_version, status, serving, batch_id, metrics, created_at, updated_at "
                    + "FROM model_registry WHERE model_line = ? ORDER BY created_at DESC LIMIT 50", line));
            m.put("serving_history", rows(c, "SELECT event_id, version, action, from_version, actor, reason, at FROM model_serving_history "
                    + "WHERE model_line = ? ORDER BY event_id DESC LIMIT 50", line));
            m.put("recent_syntheses", rows(c, "SELECT s.synthesis_id, s.origin, s.text, s.speaker, s.model_version, s.created_at, "
                    + "(SELECT round(avg(r.score)::numeric, 2) FROM ratings r WHERE r.synthesis_id = s.synthesis_id) AS mean_score, "
                    + "(SELECT count(*) FROM ratings r WHERE r.synthesis_id = s.synthesis_id) AS ratings "
                    + "FROM syntheses s ORDER BY s.created_at DESC LIMIT 12"));
            return HttpResponse.ok(Json.writeString(m)).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (SQLException e) {
            return HttpResponse.<String>status(HttpStatus.SERVICE_UNAVAILABLE)
                    .body(Json.writeString(Map.of("error", "unavailable", "message", "PostgreSQL: " + e.getMessage())))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
    }

    /** A synthesis decoded by codec2 from its tokens in the syntheses table (8 kHz WAV). */
    @Operation(summary = "A synthesis as audio",
            description = "8 kHz WAV decoded by codec2 from the tokens in the syntheses table. No key.")
    @ApiResponse(responseCode = "200", description = "The WAV.",
            content = @Content(mediaType = "audio/wav", schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "400", description = "id is not 1 to 128 of A-Z a-z 0-9 . _ : - (empty body).")
    @ApiResponse(responseCode = "404", description = "No synthesis with that id (empty body).")
    @ApiResponse(responseCode = "503", description = "PostgreSQL unreachable (empty body) or the codec failed (text body).")
    @Get(uri = "/dashboard/api/syntheses/{id}/audio.wav", produces = "audio/wav")
    HttpResponse<?> audio(@Parameter(description = "A synthesis_id.") @PathVariable("id") String id) {
        if (!ID.matcher(id).matches()) return HttpResponse.badRequest();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT tokens FROM syntheses WHERE synthesis_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return HttpResponse.notFound();
                int[][] tokens = ints2(rs.getArray(1));
                Codec2Codec cc = codec();
                return HttpResponse.ok(Wav.toBytes(cc.decode(tokens), cc.sampleRate())).contentType("audio/wav");
            }
        } catch (SQLException e) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE).body("codec: " + e.getMessage());
        }
    }

    private Codec2Codec codec() {
        Codec2Codec c = codec;
        if (c == null) {
            synchronized (this) {
                if (codec == null) codec = new Codec2Codec();
                c = codec;
            }
        }
        return c;
    }

    static int[][] ints2(Array a) throws SQLException {
        Object[] outer = (Object[]) a.getArray();
        int[][] out = new int[outer.length][];
        for (int i = 0; i < outer.length; i++) {
            Object[] inner = (Object[]) outer[i];
            out[i] = new int[inner.length];
            for (int j = 0; j < inner.length; j++) out[i][j] = ((Number) inner[j]).intValue();
        }
        return out;
    }

    /** Rows as JSON-ready maps: jsonb parsed, timestamps ISO-8601, numbers as numbers. */
    static List<Map<String, Object>> rows(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof Timestamp t) {
                            v = t.toInstant().toString();
                        } else if ("jsonb".equals(md.getColumnTypeName(i)) && v != null) {
                            try {
                                v = Json.MAPPER.readTree(rs.getString(i));
                            } catch (IOException e) {
                                v = rs.getString(i);
                            }
                        } else if (v instanceof java.math.BigDecimal b) {
                            v = b.doubleValue();
                        } else if (v != null && !(v instanceof Number) && !(v instanceof Boolean) && !(v instanceof JsonNode)) {
                            v = v.toString();
                        }
                        row.put(md.getColumnLabel(i), v);
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }
}
