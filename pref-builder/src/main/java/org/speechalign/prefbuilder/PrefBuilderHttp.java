package org.speechalign.prefbuilder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * pref-builder's small HTTP server (the JDK's {@code com.sun.net.httpserver}: pref-builder is a plain
 * Kafka Streams application, not a Micronaut one):
 * <ul>
 *   <li>{@code GET /health} — 200 {@code {"status":"UP",…}} while the topology is RUNNING or
 *       rebalancing and the sink thread is alive, else 503 with {@code "DOWN"};</li>
 *   <li>{@code GET /prometheus} — the {@link Counters} and the topology state in Prometheus' text format.</li>
 * </ul>
 */
final class PrefBuilderHttp implements AutoCloseable {

    /** What the endpoints report. */
    interface Status {
        /** Component → "UP" or "DOWN: reason". */
        Map<String, String> components();

        Map<String, Long> counters();

        /** Kafka Streams state name (RUNNING, REBALANCING, …). */
        String streamsState();
    }

    private final HttpServer server;

    private PrefBuilderHttp(HttpServer server) {
        this.server = server;
    }

    static PrefBuilderHttp start(int port, Supplier<Status> status) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("pref-builder: cannot listen on HTTP port " + port + ": " + e.getMessage(), e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pref-builder-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", ex -> {
            Map<String, String> c = status.get().components();
            boolean up = c.values().stream().allMatch("UP"::equals);
            StringBuilder json = new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN").append("\",\"components\":{");
            int i = 0;
            for (var e : c.entrySet()) {
                json.append(i++ == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"")
                        .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            json.append("}}");
            reply(ex, up ? 200 : 503, "application/json", json.toString());
        });
        server.createContext("/prometheus", ex -> {
            Status s = status.get();
            StringBuilder out = new StringBuilder();
            for (var e : s.counters().entrySet()) {
                String name = "pref_builder_" + e.getKey() + "_total";
                out.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(e.getValue()).append('\n');
            }
            out.append("# TYPE pref_builder_streams_state gauge\n")
                    .append("pref_builder_streams_state{state=\"").append(s.streamsState()).append("\"} 1\n");
            reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", out.toString());
        });
        server.start();
        return new PrefBuilderHttp(server);
    }

    private static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(code, bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
