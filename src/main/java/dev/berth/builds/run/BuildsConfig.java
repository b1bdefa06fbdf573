package dev.berth.builds.run;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Configuration of builds: workers and limits, the registry images go to, executors, and the SSRF allow-list. */
@ConfigMapping(prefix = "berth.builds")
public interface BuildsConfig {
    /** Worker threads of this Berth instance; each runs one build at a time. */
    @WithDefault("2")
    int workers();

    /** Builds running at once across all Berth instances. */
    @WithDefault("4")
    int maxRunning();

    /** Builds of one tenant running at once, a cap on top of the tenant's plan (its concurrentBuilds limit). */
    @WithDefault("4")
    int maxRunningPerTenant();

    /**
     * A build running longer than this is stopped and marked failed: the platform-wide cap on the build timeout of
     * the tenants' plans (and their overrides), which applies when it is shorter.
     */
    @WithDefault("15m")
    Duration timeout();

    /**
     * How long a queued build waits for room in its tenant's quota for the builder pod (Kubernetes Job executor)
     * before it fails with the reason.
     */
    @WithDefault("10m")
    Duration quotaWait();

    /** How often a running build proves that its worker is alive, and checks for a cancel request. */
    @WithDefault("2s")
    Duration heartbeat();

    /** A running build whose worker has not proven to be alive for this long is recovered (retried or failed). */
    @WithDefault("60s")
    Duration staleAfter();

    /** Attempts of one build before a Berth restart during it marks it failed instead of queueing it again. */
    @WithDefault("2")
    int maxAttempts();

    /** How often idle workers look for queued builds (a new build also wakes them at once). */
    @WithDefault("1s")
    Duration pollInterval();

    /** Where per-build workspaces (clones) are made; each is removed when its build ends. */
    @WithDefault("${java.io.tmpdir}/berth-builds/work")
    String workspaceDir();

    /** Per-app layer caches (buildah storage, Jib caches) kept between builds of the same app. */
    @WithDefault("${java.io.tmpdir}/berth-builds/cache")
    String cacheDir();

    /**
     * Where Dockerfile builds run: {@code kubernetes} (the default: a Job in the tenant's build namespace of the
     * build region's cluster, see {@link Kubernetes}) or {@code local} (buildah on this host, for development and
     * tests, or in production with {@link #allowHostBuilds()}).
     */
    @WithDefault("kubernetes")
    String executor();

    /**
     * Lets tenants' build steps (Dockerfile {@code RUN} steps, Maven and Gradle builds) run on the Berth host with
     * the {@code local} executor. Off by default: a production start with the {@code local} executor and without
     * this fails, because tenant code would run next to Berth's database credentials and keys. On in the dev and
     * test profiles; an operator who opts in sees it logged at every start and on the admin pages.
     */
    @WithDefault("false")
    boolean allowHostBuilds();

    Registry registry();

    /** Host names (or IP literals) that Git and registry URLs may use even though they resolve to private addresses. */
    Optional<List<String>> allowedHosts();

    Jib jib();

    Webhooks webhooks();

    Kubernetes kubernetes();

    Storage storage();

    /** Disk used for builds on this host: workspaces plus the per-app caches under {@link #cacheDir()}. */
    interface Storage {
        /**
         * Workspaces and caches together stay under this many bytes (suffixes K, M, G, T): above it, the sweeper
         * removes the least recently used app caches that no running build uses.
         */
        @io.smallrye.config.WithName("max-size")
        @WithDefault("20G")
        io.quarkus.runtime.configuration.MemorySize maxSizeValue();

        default long maxSize() {
            return maxSizeValue().asLongValue();
        }

        /** How often build storage is measured (and swept when over its limit). */
        @WithDefault("5m")
        Duration sweepInterval();
    }

    /** The Kubernetes Job executor: where builder pods run and what they may use. */
    interface Kubernetes {
        /** The region whose cluster runs builder Jobs (default: the default region). */
        Optional<String> region();

        /**
         * Address ranges (CIDR) builder pods may reach besides the Git host and the registry, for example a base
         * image mirror or a package proxy; {@code 0.0.0.0/0} opens the Internet. Empty by default: Dockerfiles then
         * build from images in Berth's registry only.
         */
        Optional<List<String>> egressCidrs();

        @WithDefault("quay.io/buildah/stable:v1.38")
        String builderImage();

        @WithDefault("docker.io/alpine/git:2.47.2")
        String gitImage();

        @WithDefault("500m")
        String cpuRequest();

        @WithDefault("2")
        String cpuLimit();

        @WithDefault("1Gi")
        String memoryRequest();

        @WithDefault("4Gi")
        String memoryLimit();

        /** Size limit of the pod's workspace (the clone and buildah's storage). */
        @WithDefault("10Gi")
        String workspaceSize();
    }

    interface Registry {
        /** host[:port] images are pushed to, as {@code <registry>/<tenant>/<app>:<short-sha>}. */
        @WithDefault("127.0.0.1:5000")
        String host();

        /** Plain HTTP or a self-signed certificate (a registry on loopback in development and tests). */
        @WithDefault("false")
        boolean insecure();

        Optional<String> username();

        Optional<String> password();

        /**
         * A Docker config JSON with the registry's credential (for example the {@code .dockerconfigjson} key of a
         * {@code kubernetes.io/dockerconfigjson} Secret mounted as a file); read for every build. Used when no
         * {@link #username()} is set.
         */
        Optional<String> authFile();
    }

    interface Jib {
        /**
         * Base image for a directory of static files; it must serve {@link #staticRoot()} as {@link #user()}, i.e.
         * without root: write nothing outside world-writable places such as {@code /tmp} and listen on a port
         * above 1023 (nginx-unprivileged listens on 8080, Berth's default app port, and keeps its PID and temporary
         * files in {@code /tmp}).
         */
        @WithDefault("docker.io/nginxinc/nginx-unprivileged:1.27-alpine")
        String staticBaseImage();

        @WithDefault("/usr/share/nginx/html")
        String staticRoot();

        /** Entrypoint for static sites when the base image has none that serves the files (space separated). */
        Optional<String> staticEntrypoint();

        /** Base image with a Java runtime for executable JARs. */
        @WithDefault("docker.io/library/eclipse-temurin:21-jre")
        String jreBaseImage();

        /**
         * The user Jib images run as: a numeric, non-zero uid (optionally {@code :gid}). Numeric because app pods run
         * with {@code runAsNonRoot} and the kubelet refuses a user name it cannot check without the image's
         * /etc/passwd; the default is the conventional "nonroot" id of distroless images.
         */
        @WithDefault("65532:65532")
        String user();

        /** The java binary in the JRE base image. */
        @WithDefault("java")
        String javaCommand();

        /**
         * Run the repository's Maven or Gradle build on the Berth host, as the Berth user, when no executable JAR is
         * committed. Operators who build code they do not trust switch this off.
         */
        @WithDefault("true")
        boolean buildTools();

        /** Extra arguments for Maven, after Berth's own (for example {@code -s,/etc/berth/maven-settings.xml}). */
        Optional<List<String>> mavenArgs();

        /** Extra arguments for Gradle, after Berth's own (for example {@code --init-script,/etc/berth/mirror.gradle}). */
        Optional<List<String>> gradleArgs();

        /** The JDK the build tools run with (their JAVA_HOME); default: Berth's JAVA_HOME, else the Java Berth runs on. */
        Optional<String> buildJavaHome();
    }

    interface Webhooks {
        /** Largest push event accepted; bigger bodies get 413. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** Public base URL Git hosts reach Berth at, for the setup instructions (defaults to the request's). */
        Optional<String> publicUrl();

        /**
         * How long a push (app, ref, commit) that started a build answers later deliveries of the same push, under
         * any delivery id, with that build instead of starting another; 0 turns this off.
         */
        @WithDefault("10m")
        Duration replayWindow();
    }
}
