package org.speechalign.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * For the services' OpenAPI tests: the routes a module's Micronaut controllers declare, read by
 * reflection from their annotations ({@code @Controller} classes, methods annotated with an
 * {@code @HttpMethodMapping} such as {@code @Get}), and the routes an OpenAPI document lists, both
 * as {@code "GET /v1/models/{}/events"} (path variables anonymised: the document may name them
 * differently). Routes hidden from the document with swagger's {@code @Hidden} are left out.
 * Works on annotation names, so this module needs neither Micronaut nor swagger.
 */
public final class ControllerRoutes {

    private static final String CONTROLLER = "io.micronaut.http.annotation.Controller";
    private static final String METHOD_MAPPING = "io.micronaut.http.annotation.HttpMethodMapping";
    private static final String HIDDEN = "io.swagger.v3.oas.annotations.Hidden";
    private static final Pattern OPTIONAL_SEGMENT = Pattern.compile("\\{/([^}]+)}");
    private static final Pattern QUERY = Pattern.compile("\\{[?&][^}]*}");
    private static final Pattern VARIABLE = Pattern.compile("\\{[^}]*}");
    private static final List<String> OPERATIONS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private ControllerRoutes() {
    }

    /** The controller classes compiled into the same classes directory (or jar) as {@code anchor}. */
    public static List<Class<?>> controllers(Class<?> anchor) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException(anchor + " was not loaded from a classes directory: " + root);
        }
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String rel = root.relativize(p).toString();
                String name = rel.substring(0, rel.length() - ".class".length()).replace(p.getFileSystem().getSeparator(), ".");
                if (name.endsWith("package-info") || name.endsWith("module-info")) continue;
                Class<?> c;
                try {
                    c = Class.forName(name, false, anchor.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    continue; // generated classes referring to absent optional types
                }
                if (annotation(c.getDeclaredAnnotations(), CONTROLLER) != null) out.add(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every route the controllers beside {@code anchor} declare and do not hide. */
    public static SortedSet<String> declared(Class<?> anchor) {
        SortedSet<String> out = new TreeSet<>();
        for (Class<?> c : controllers(anchor)) {
            if (annotation(c.getDeclaredAnnotations(), HIDDEN) != null) continue;
            String base = first(strings(annotation(c.getDeclaredAnnotations(), CONTROLLER), "value"), "/");
            for (Method m : c.getDeclaredMethods()) {
                if (annotation(m.getDeclaredAnnotations(), HIDDEN) != null) continue;
                for (Annotation a : m.getDeclaredAnnotations()) {
                    if (annotation(a.annotationType().getDeclaredAnnotations(), METHOD_MAPPING) == null) continue;
                    String verb = a.annotationType().getSimpleName().toUpperCase(Locale.ROOT);
                    // value, uri and uris are aliases for Micronaut but separate members for reflection; "/" is their default
                    SortedSet<String> uris = new TreeSet<>();
                    for (String member : List.of("value", "uri", "uris")) uris.addAll(strings(a, member));
                    if (uris.size() > 1) uris.remove("/");
                    if (uris.isEmpty()) uris.add("/");
                    for (String uri : uris) {
                        for (String path : expand(join(base, uri))) out.add(verb + " " + anonymise(path));
                    }
                }
            }
        }
        return out;
    }

    /** Every operation of an OpenAPI document parsed into maps (YAML or JSON). */
    @SuppressWarnings("unchecked")
    public static SortedSet<String> documented(Map<String, Object> document) {
        SortedSet<String> out = new TreeSet<>();
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        if (paths == null) return out;
        paths.forEach((path, item) -> ((Map<String, Object>) item).keySet().stream()
                .filter(OPERATIONS::contains)
                .forEach(op -> out.add(op.toUpperCase(Locale.ROOT) + " " + anonymise(path))));
        return out;
    }

    /** RFC 6570 optional segments ({@code /dashboard{/file}}) as both paths; query expressions dropped. */
    static List<String> expand(String template) {
        String t = QUERY.matcher(template).replaceAll("");
        Matcher m = OPTIONAL_SEGMENT.matcher(t);
        if (!m.find()) return List.of(t);
        List<String> out = new ArrayList<>();
        for (String rest : expand(t.substring(m.end()))) {
            out.add(t.substring(0, m.start()) + rest);
            out.add(t.substring(0, m.start()) + "/{" + m.group(1) + "}" + rest);
        }
        return out;
    }

    static String anonymise(String path) {
        return VARIABLE.matcher(path).replaceAll("{}");
    }

    private static String join(String base, String uri) {
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        if (uri.isEmpty() || uri.equals("/")) return b.isEmpty() ? "/" : b;
        return uri.startsWith("/") || uri.startsWith("{/") ? b + uri : b + "/" + uri;
    }

    private static Annotation annotation(Annotation[] annotations, String type) {
        for (Annotation a : annotations) {
            if (a.annotationType().getName().equals(type)) return a;
        }
        return null;
    }

    private static List<String> strings(Annotation a, String member) {
        if (a == null) return List.of();
        try {
            Object v = a.annotationType().getMethod(member).invoke(a);
            if (v instanceof String s) return s.isEmpty() ? List.of() : List.of(s);
            if (v instanceof String[] arr) return List.of(arr);
            return List.of();
        } catch (NoSuchMethodException e) {
            return List.of();
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String first(List<String> values, String otherwise) {
        return values.isEmpty() ? otherwise : values.get(0);
    }
}
