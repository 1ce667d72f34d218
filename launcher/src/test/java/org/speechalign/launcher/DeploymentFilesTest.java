package org.speechalign.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.speechalign.contracts.Topics;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs here, so this checks docker-compose.yml and the services' Dockerfiles
 * against what the modules really are: every platform service has a compose entry built from its
 * own module's Dockerfile (context = the reactor root), whose entry point is the service's main
 * class; published ports equal the ports in the services' application yml (and Services.ALL);
 * every environment name a service gets is a setting that service reads (derived from its
 * {@code @ConfigurationProperties} records, or pref-builder's {@code fromEnv}); DESIGN.md's names
 * are wired; the topic-creation step creates exactly the contracts' topics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentFilesTest {

    /** The four services of DESIGN.md: module → main class. */
    static final Map<String, String> SERVICES = Map.of(
            "feedback-service", "org.speechalign.feedback.FeedbackService",
            "synth-service", "org.speechalign.synth.SynthService",
            "pref-builder", "org.speechalign.prefbuilder.PrefBuilderApp",
            "trainer-worker", "org.speechalign.trainer.TrainerService");
    static final Set<String> DESIGN_NAMES = Set.of("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "DATABASE_USER", "DATABASE_PASSWORD");

    Path root;
    Map<String, Object> compose;
    Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    void read() throws IOException {
        root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("docker-compose.yml"))) root = root.getParent();
        assertNotNull(root, "docker-compose.yml at the repository root");
        try (InputStream in = Files.newInputStream(root.resolve("docker-compose.yml"))) {
            compose = new Yaml().load(in);
        }
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void everyServiceIsBuiltFromItsOwnModule() throws IOException {
        String pom = Files.readString(root.resolve("pom.xml"));
        for (var e : SERVICES.entrySet()) {
            String module = e.getKey();
            assertTrue(pom.contains("<module>" + module + "</module>"), "root pom lists " + module);
            Map<String, Object> s = services.get(module);
            assertNotNull(s, "compose service " + module);
            Map<?, ?> build = (Map<?, ?>) s.get("build");
            assertNotNull(build, module + " is built, not pulled");
            assertEquals(root, root.resolve(String.valueOf(build.get("context"))).normalize(), module + ": context is the reactor root");
            assertEquals(module + "/Dockerfile", build.get("dockerfile"));
            String dockerfile = Files.readString(root.resolve(module).resolve("Dockerfile"));
            assertTrue(dockerfile.contains("-pl " + module + " -am"), module + "'s Dockerfile builds its module with the reactor");
            Matcher m = Pattern.compile("ENTRYPOINT .*-cp '/app/lib/\\*' ([\\w.]+)\"\\]").matcher(dockerfile);
            assertTrue(m.find(), module + ": ENTRYPOINT runs a main class");
            assertEquals(e.getValue(), m.group(1), module + ": entry point");
            mainClass(e.getValue()).ifPresent(c -> {
                try {
                    Method main = c.getMethod("main", String[].class);
                    assertTrue(Modifier.isStatic(main.getModifiers()), c + ".main is static");
                } catch (NoSuchMethodException x) {
                    fail(c + " has no main(String[])");
                }
            });
        }
        // Every service the launcher runs is deployed too.
        for (Services.Service s : Services.ALL) assertTrue(SERVICES.containsKey(s.name()), "Services.ALL's " + s.name() + " is in compose");
    }

    @Test
    void portsMatchTheServicesConfiguration() throws Exception {
        for (Services.Service s : Services.ALL) {
            if (!s.micronaut()) continue; // pref-builder: below
            Class<?> main = Class.forName(SERVICES.get(s.name()));
            String environment = (String) main.getField("ENVIRONMENT").get(null);
            int port = ymlPort("application-" + environment + ".yml");
            assertEquals(port, s.defaultPort(), s.name() + ": Services.ALL port = application yml port");
            assertEquals(List.of(port + ":" + port), services.get(s.name()).get("ports"), s.name() + ": published port");
            String dockerfile = Files.readString(root.resolve(s.name()).resolve("Dockerfile"));
            assertTrue(dockerfile.contains("\nEXPOSE " + port + "\n"), s.name() + ": Dockerfile EXPOSE " + port);
        }
        // pref-builder is not a Micronaut service: its port (/health, /prometheus) is PrefBuilderConfig's default.
        int pref = org.speechalign.prefbuilder.PrefBuilderConfig.DEFAULT_HTTP_PORT;
        Services.Service prefService = Services.ALL.stream().filter(s -> s.name().equals("pref-builder")).findFirst().orElseThrow();
        assertEquals(pref, prefService.defaultPort(), "pref-builder: Services.ALL port = PrefBuilderConfig.DEFAULT_HTTP_PORT");
        assertEquals(List.of(pref + ":" + pref), services.get("pref-builder").get("ports"), "pref-builder: published port");
        assertTrue(Files.readString(root.resolve("pref-builder").resolve("Dockerfile")).contains("\nEXPOSE " + pref + "\n"),
                "pref-builder: Dockerfile EXPOSE " + pref);
    }

    @Test
    void environmentNamesAreSettingsTheServicesRead() throws Exception {
        for (Services.Service s : Services.ALL) {
            if (!s.micronaut()) continue; // pref-builder reads PrefBuilderConfig.fromEnv: below
            Class<?> main = Class.forName(SERVICES.get(s.name()));
            Set<String> known = settingsEnvNames(main);
            Map<String, String> env = env(s.name());
            assertTrue(env.keySet().containsAll(DESIGN_NAMES), s.name() + " gets " + DESIGN_NAMES + ": " + env.keySet());
            for (String k : env.keySet()) {
                assertTrue(known.contains(k) || k.equals("JAVA_OPTS"), s.name() + ": " + k + " is not a setting it reads; it reads " + known);
            }
            // MODEL_STORE exactly where the service has a model store, on the shared volume.
            boolean hasStore = known.contains("MODEL_STORE");
            assertEquals(hasStore, env.containsKey("MODEL_STORE"), s.name() + ": MODEL_STORE");
            if (hasStore) {
                assertTrue(env.get("MODEL_STORE").startsWith("/models/"), s.name() + ": the store lives on the shared volume");
                assertEquals(List.of("model-store:/models"), services.get(s.name()).get("volumes"));
            }
        }
        assertTrue(((Map<?, ?>) compose.get("volumes")).containsKey("model-store"), "a shared model-store volume");
        // pref-builder reads its configuration with PrefBuilderConfig.fromEnv once the module has landed.
        Map<String, String> pref = env("pref-builder");
        assertTrue(pref.keySet().containsAll(DESIGN_NAMES), "pref-builder gets " + DESIGN_NAMES);
        for (String k : pref.keySet()) {
            assertTrue(Stream.of("KAFKA_", "DATABASE_", "PREF_BUILDER_", "PAIRING_", "BATCH_").anyMatch(k::startsWith), "pref-builder: " + k);
        }
        var prefConfig = mainClass("org.speechalign.prefbuilder.PrefBuilderConfig");
        if (prefConfig.isPresent()) {
            Object cfg = prefConfig.get().getMethod("fromEnv", Map.class).invoke(null, pref);
            assertEquals(pref.get("KAFKA_BOOTSTRAP_SERVERS"), accessor(cfg, "bootstrapServers"));
            assertEquals(pref.get("DATABASE_URL"), accessor(cfg, "jdbcUrl"));
            assertEquals(pref.get("DATABASE_USER"), accessor(cfg, "dbUser"));
            assertEquals(pref.get("PREF_BUILDER_STATE_DIR"), String.valueOf(accessor(cfg, "stateDir")));
        } else {
            assertTrue(Files.isDirectory(root.resolve("pref-builder")), "pref-builder module folder");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void infrastructureMatchesTheWiring() {
        Map<String, Object> kafka = services.get("kafka");
        Map<String, Object> postgres = services.get("postgres");
        assertTrue(String.valueOf(kafka.get("image")).startsWith("apache/kafka:"), "apache/kafka image");
        Map<String, Object> kenv = (Map<String, Object>) kafka.get("environment");
        assertTrue(String.valueOf(kenv.get("KAFKA_PROCESS_ROLES")).contains("controller"), "KRaft: the broker is its own controller");
        assertTrue(String.valueOf(postgres.get("image")).startsWith("postgres:"), "postgres image");
        Map<String, String> penv = env("postgres");
        for (String name : SERVICES.keySet()) {
            Map<String, String> env = env(name);
            assertEquals(String.valueOf(kenv.get("KAFKA_ADVERTISED_LISTENERS")).replace("PLAINTEXT://", ""), env.get("KAFKA_BOOTSTRAP_SERVERS"));
            assertEquals("jdbc:postgresql://postgres:5432/" + penv.get("POSTGRES_DB"), env.get("DATABASE_URL"));
            assertEquals(penv.get("POSTGRES_USER"), env.get("DATABASE_USER"));
            assertEquals(penv.get("POSTGRES_PASSWORD"), env.get("DATABASE_PASSWORD"));
            Map<String, Object> deps = (Map<String, Object>) services.get(name).get("depends_on");
            assertTrue(deps.containsKey("kafka-init") && deps.containsKey("postgres"), name + " waits for topics and PostgreSQL");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void topicStepCreatesExactlyTheContractsTopics() {
        String script = String.join("\n", (List<String>) services.get("kafka-init").get("command"));
        Set<String> created = new TreeSet<>();
        Matcher m = Pattern.compile("--topic (\\S+)").matcher(script);
        while (m.find()) created.add(m.group(1));
        Set<String> expected = new TreeSet<>();
        for (Topics.Topic t : Topics.ALL) {
            expected.add(t.name());
            expected.add(t.dlq());
            assertEquals(t.compacted(), script.contains("--topic " + t.name() + " --config cleanup.policy=compact"), t.name() + " compaction");
        }
        assertEquals(expected, created);
        assertTrue(script.contains("--partitions " + Topics.DEFAULT_PARTITIONS), "default partitions");
    }

    /**
     * ./speechalign runs every service from the launcher's runtime classpath: a dependency a service
     * needs at run time must not be narrowed to test (or provided) scope in the launcher's pom, which
     * would win over the service's scope. (snakeyaml once was: serve then ignored every application yml.)
     */
    @Test
    void launcherKeepsTheServicesRuntimeDependencies() throws IOException {
        Pattern dependency = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
        Map<String, String> launcherScopes = new HashMap<>();
        Matcher l = dependency.matcher(Files.readString(root.resolve("launcher/pom.xml")));
        while (l.find()) launcherScopes.put(coordinates(l.group(1)), scope(l.group(1)));
        for (String module : SERVICES.keySet()) {
            Matcher m = dependency.matcher(Files.readString(root.resolve(module).resolve("pom.xml")));
            while (m.find()) {
                String scope = scope(m.group(1));
                if (!scope.equals("compile") && !scope.equals("runtime")) continue;
                String narrowed = launcherScopes.get(coordinates(m.group(1)));
                assertTrue(narrowed == null || narrowed.equals("compile") || narrowed.equals("runtime"),
                        "launcher/pom.xml declares " + coordinates(m.group(1)) + " with scope " + narrowed + ", but " + module
                                + " needs it at run time (" + scope + ")");
            }
        }
        assertEquals("runtime", launcherScopes.get("org.yaml:snakeyaml"), "Micronaut reads the services' yml with snakeyaml");
    }

    private static String coordinates(String dependency) {
        return tag(dependency, "groupId") + ":" + tag(dependency, "artifactId");
    }

    private static String scope(String dependency) {
        String s = tag(dependency, "scope");
        return s == null ? "compile" : s;
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">\\s*([^<]+?)\\s*</" + name + ">").matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    // ------------------------------------------------------------------ helpers

    @SuppressWarnings("unchecked")
    Map<String, String> env(String service) {
        // (the infrastructure's environment too)
        Map<String, Object> raw = (Map<String, Object>) services.get(service).get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        // Compose's ${VAR:-default}: the default, as on a host without VAR.
        raw.forEach((k, v) -> out.put(k, String.valueOf(v).replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")));
        return out;
    }

    static int ymlPort(String resource) throws IOException {
        try (InputStream in = DeploymentFilesTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource + " on the classpath");
            Map<String, Object> y = new Yaml().load(in);
            Map<?, ?> server = (Map<?, ?>) ((Map<?, ?>) y.get("micronaut")).get("server");
            return ((Number) server.get("port")).intValue();
        }
    }

    static java.util.Optional<Class<?>> mainClass(String name) {
        try {
            return java.util.Optional.of(Class.forName(name));
        } catch (ClassNotFoundException e) {
            return java.util.Optional.empty();
        }
    }

    static Object accessor(Object record, String name) throws Exception {
        return record.getClass().getMethod(name).invoke(record);
    }

    /**
     * Environment names of every {@code @ConfigurationProperties} record in the service's package
     * (Micronaut maps {@code DATABASE_URL} to {@code database.url}, {@code SYNTH_SELF_PLAY_ENABLED}
     * to {@code synth.self-play-enabled}).
     */
    static Set<String> settingsEnvNames(Class<?> serviceClass) throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(serviceClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = serviceClass.getPackageName();
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(classes)) {
            try (Stream<Path> files = Files.walk(classes.resolve(pkg.replace('.', '/')))) {
                names = files.map(p -> classes.relativize(p).toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                        .map(n -> n.substring(0, n.length() - 6).replace('/', '.')).collect(Collectors.toList());
            }
        } else {
            try (var jar = new java.util.jar.JarFile(classes.toFile())) {
                names = jar.stream().map(java.util.jar.JarEntry::getName)
                        .filter(n -> n.startsWith(pkg.replace('.', '/')) && n.endsWith(".class") && !n.contains("$"))
                        .map(n -> n.substring(0, n.length() - 6).replace('/', '.')).collect(Collectors.toList());
            }
        }
        Set<String> env = new LinkedHashSet<>();
        for (String n : names) {
            Class<?> c = Class.forName(n, false, serviceClass.getClassLoader());
            ConfigurationProperties cp = c.getAnnotation(ConfigurationProperties.class);
            if (cp == null || !c.isRecord()) continue;
            for (RecordComponent rc : c.getRecordComponents()) {
                env.add((cp.value() + "_" + rc.getName().replaceAll("([A-Z])", "_$1")).toUpperCase().replace('.', '_').replace('-', '_'));
            }
        }
        assertFalse(env.isEmpty(), serviceClass + ": no configuration records found");
        return env;
    }

}
