package dev.berth;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator and developer documents (README.md, deploy/README.md, docs/*.md; the ADRs record history and keep the
 * names of their day) say only what the code has: every Berth class they name exists among the compiled classes,
 * every relative link points to a file, and every {@code berth.*} configuration key is one Berth reads. A failure
 * lists each drifted name with its file and line.
 */
class DocsDriftTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final List<Path> CLASS_DIRS = List.of(ROOT.resolve("target/classes"),
            ROOT.resolve("target/test-classes"));
    /** Packages whose classes the docs may name besides Berth's (a class must exist somewhere). */
    private static final List<String> LIBRARY_PACKAGES = List.of("java.lang", "java.util", "java.math",
            "io.fabric8.kubernetes.api.model", "io.fabric8.kubernetes.client.server.mock",
            "org.hibernate.query.sqm.internal", "io.quarkus.qute");
    /** Backticked names that look like classes and are not, with the reason. */
    static final Map<String, String> NOT_CLASSES = Map.ofEntries(
            Map.entry("AbleToScale", "a HorizontalPodAutoscaler condition"),
            Map.entry("ScalingActive", "a HorizontalPodAutoscaler condition"),
            Map.entry("ScalingLimited", "a HorizontalPodAutoscaler condition"),
            Map.entry("ClusterIssuer", "a cert-manager kind"),
            Map.entry("DNSEndpoint", "an external-dns kind"),
            Map.entry("PodMonitor", "a Prometheus operator kind"),
            Map.entry("CreateContainerConfigError", "a container's waiting reason"),
            Map.entry("ImagePullBackOff", "a container's waiting reason"),
            Map.entry("FailedCreate", "a Kubernetes event reason"),
            Map.entry("RuntimeDefault", "a seccomp profile type"),
            Map.entry("ExposedPorts", "a field of an OCI image configuration"),
            Map.entry("EventSource", "the browser's server-sent events API"),
            Map.entry("HttpOnly", "a cookie attribute"),
            Map.entry("SameSite", "a cookie attribute"),
            Map.entry("StrictHostKeyChecking", "an OpenSSH client option"),
            Map.entry("VmRSS", "a field of /proc/<pid>/status"));
    /** Words of the form berth.x that are not configuration keys, with the reason. */
    static final Map<String, String> NOT_KEYS = Map.of(
            "berth.example.com", "the example public host name",
            "berth.localhost", "the example global domain of the sandbox");

    private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```");
    private static final Pattern SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern NAME = Pattern.compile("^([A-Z][A-Za-z0-9]*)(?=$|[.#(<])");
    private static final Pattern QUALIFIED = Pattern.compile(
            "\\bdev\\.berth((?:\\.[a-z][a-z0-9]*)+)((?:\\.[A-Z]\\w*)?)");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern KEY = Pattern.compile("(?<![\\w./-])berth\\.[a-z0-9][a-z0-9.-]*[a-z0-9](?![\\w/])");
    /** A property expression, as in {@code @Scheduled(every = "${berth.regions.health-interval:10s}")}. */
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{(berth\\.[^:}]+)");
    private static final Pattern PROPERTY = Pattern.compile(
            "(?:getProperty|getInteger|getLong|getBoolean|named\\s*=)\\s*\\(?\\s*\"(berth\\.[^\"]+)\"");

    private static final Set<String> simpleNames = new TreeSet<>();
    private static final Set<String> keys = new TreeSet<>();
    private static final Set<String> keyPrefixes = new TreeSet<>();
    private static int mappings;

    @BeforeAll
    static void readCode() throws IOException {
        List<String> classNames = new ArrayList<>();
        for (Path dir : CLASS_DIRS) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(f -> f.toString().endsWith(".class")).forEach(f -> {
                    String name = dir.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                    classNames.add(name);
                    for (String part : name.substring(name.lastIndexOf('.') + 1).split("\\$")) {
                        simpleNames.add(part);
                    }
                });
            }
        }
        for (String line : Files.readAllLines(ROOT.resolve("src/main/resources/application.properties"))) {
            String l = line.strip();
            if (!l.startsWith("#") && l.contains("=")) {
                keys.add(l.substring(0, l.indexOf('=')).strip().replaceFirst("^%[\\w-]+\\.", ""));
            }
        }
        ClassLoader loader = DocsDriftTest.class.getClassLoader();
        for (String name : classNames) {
            if (!name.startsWith("dev.berth.") || name.startsWith("dev.berth.DocsDriftTest")) {
                continue;
            }
            Class<?> c;
            try {
                c = Class.forName(name, false, loader);
                readConfig(c);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AssertionError("cannot read " + name + ": " + e, e);
            }
        }
        // Benchmarks and tests read system properties of their own (bench/run passes them).
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/test/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = PROPERTY.matcher(Files.readString(f));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        }
    }

    private static void readConfig(Class<?> c) {
        ConfigMapping mapping = c.getAnnotation(ConfigMapping.class);
        if (mapping != null) {
            mappings++;
            group(mapping.prefix(), c);
        }
        for (Field f : c.getDeclaredFields()) {
            ConfigProperty p = f.getAnnotation(ConfigProperty.class);
            if (p != null) {
                keys.add(p.name());
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            Scheduled s = m.getAnnotation(Scheduled.class);
            if (s != null) {
                Matcher expression = EXPRESSION.matcher(s.every() + " " + s.cron() + " " + s.delayed());
                while (expression.find()) {
                    keys.add(expression.group(1));
                }
            }
        }
        for (var executable : Stream.concat(Stream.of(c.getDeclaredMethods()), Stream.of(c.getDeclaredConstructors()))
                .toList()) {
            for (Parameter parameter : executable.getParameters()) {
                ConfigProperty p = parameter.getAnnotation(ConfigProperty.class);
                if (p != null) {
                    keys.add(p.name());
                }
            }
        }
    }

    /** The keys of a {@code @ConfigMapping} interface (or a group in it), named as SmallRye names them. */
    private static void group(String prefix, Class<?> type) {
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() > 0 || m.isDefault() && m.getName().equals("toString")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String key = m.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (m.isAnnotationPresent(WithName.class) ? m.getAnnotation(WithName.class).value()
                            : kebab(m.getName()));
            Type t = m.getGenericReturnType();
            Class<?> raw = m.getReturnType();
            if (raw == Optional.class || raw == List.class || raw == Map.class) {
                Type[] args = ((ParameterizedType) t).getActualTypeArguments();
                Type inner = args[args.length - 1];
                if (inner instanceof Class<?> ic && ic.isInterface() && ic.getName().startsWith("dev.berth.")) {
                    if (raw == Optional.class) {
                        group(key, ic);
                    } else {
                        keyPrefixes.add(key);
                    }
                    continue;
                }
            } else if (raw.isInterface() && raw.getName().startsWith("dev.berth.")) {
                group(key, raw);
                continue;
            }
            keys.add(key);
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The documents checked. */
    static List<Path> docs() throws IOException {
        List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("deploy/README.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    /** A document's text with fenced code blocks blanked out (line numbers kept). */
    private static String prose(Path doc) {
        try {
            String text = Files.readString(doc);
            Matcher m = FENCE.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(m.group().replaceAll("[^\\n]", "")));
            }
            m.appendTail(sb);
            return sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String where(Path doc, String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return ROOT.relativize(doc) + ":" + line;
    }

    private static boolean libraryClass(String simple) {
        for (String pkg : LIBRARY_PACKAGES) {
            try {
                Class.forName(pkg + "." + simple, false, DocsDriftTest.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                // not in this package
            }
        }
        return false;
    }

    /** Looks like a type: upper camel case with a second hump, or an upper-case word with a member after it. */
    private static boolean looksLikeAType(String span, String name) {
        boolean humps = name.chars().skip(1).anyMatch(Character::isUpperCase)
                && name.chars().anyMatch(Character::isLowerCase);
        boolean member = span.length() > name.length() && (span.charAt(name.length()) == '#'
                || span.startsWith(name + ".") && span.length() > name.length() + 1
                        && Character.isLowerCase(span.charAt(name.length() + 1)) && span.contains("("));
        return humps || member && name.chars().anyMatch(Character::isLowerCase);
    }

    @Test
    void everyClassTheDocsNameExists() throws IOException {
        assertThat(simpleNames).as("compiled classes under target/").hasSizeGreaterThan(300);
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            String text = prose(doc);
            Matcher span = SPAN.matcher(text);
            while (span.find()) {
                Matcher name = NAME.matcher(span.group(1));
                if (!name.find() || !looksLikeAType(span.group(1), name.group(1))) {
                    continue;
                }
                String n = name.group(1);
                checked++;
                if (!simpleNames.contains(n) && !NOT_CLASSES.containsKey(n) && !libraryClass(n)) {
                    missing.add(where(doc, text, span.start()) + " `" + span.group(1) + "`");
                }
            }
            Matcher q = QUALIFIED.matcher(Files.readString(doc));
            String raw = Files.readString(doc);
            while (q.find()) {
                checked++;
                String pkg = "dev/berth" + q.group(1).replace('.', '/');
                String cls = q.group(2).isEmpty() ? null : q.group(2).substring(1);
                boolean found = CLASS_DIRS.stream().anyMatch(d -> cls == null ? Files.isDirectory(d.resolve(pkg))
                        : Files.exists(d.resolve(pkg + "/" + cls + ".class")));
                if (!found) {
                    missing.add(where(doc, raw, q.start()) + " " + q.group());
                }
            }
        }
        assertThat(checked).as("names checked").isGreaterThan(200);
        assertThat(missing).as("names in the docs that are no class or package of Berth (nor of a library Berth "
                + "names, nor in NOT_CLASSES)").isEmpty();
    }

    @Test
    void everyRelativeLinkPointsToAFile() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            String text = prose(doc);
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z][a-z0-9+.-]*:.*") || target.startsWith("#") || target.startsWith("/")) {
                    continue;
                }
                checked++;
                String path = target.replaceFirst("#.*$", "");
                if (!Files.exists(doc.getParent().resolve(path).normalize())) {
                    broken.add(where(doc, text, m.start()) + " " + target);
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(20);
        assertThat(broken).as("relative links to files that do not exist").isEmpty();
    }

    @Test
    void everyConfigurationKeyTheDocsNameIsRead() throws IOException {
        assertThat(mappings).as("@ConfigMapping interfaces found").isGreaterThanOrEqualTo(7);
        assertThat(keys).contains("berth.builds.stale-after", "berth.regions.default.context");
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (Path doc : docs()) {
            String text = Files.readString(doc);
            Matcher m = KEY.matcher(text);
            while (m.find()) {
                String key = m.group();
                if (NOT_KEYS.containsKey(key)) {
                    continue;
                }
                checked++;
                boolean known = keys.contains(key) || keys.stream().anyMatch(k -> k.startsWith(key + "."))
                        || keyPrefixes.stream().anyMatch(p -> key.startsWith(p + "."));
                if (!known) {
                    unknown.add(where(doc, text, m.start()) + " " + key);
                }
            }
        }
        assertThat(checked).as("keys checked").isGreaterThan(50);
        assertThat(unknown).as("berth.* keys in the docs that no application.properties entry, @ConfigProperty, "
                + "@ConfigMapping or @Scheduled expression reads").isEmpty();
    }
}
