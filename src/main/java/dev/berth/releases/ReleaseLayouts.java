package dev.berth.releases;

import dev.berth.apps.App;
import dev.berth.apps.AppLayout;
import dev.berth.apps.AppSpec;
import dev.berth.secrets.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tells the reconciler how each app's workloads are laid out right now ({@link AppLayout}): from the app's deploy
 * settings and the releases its colours or tracks run. Rolling and recreate apps run the app's current
 * configuration (which is always that of its latest release); blue/green and canary tracks run the snapshots of
 * their releases, so an old colour keeps exactly what it ran.
 */
@ApplicationScoped
public class ReleaseLayouts {
    private static final int CHUNK = 5000;
    @Inject
    SecretBox secrets;

    /** Layouts aligned with {@code apps} (and their {@code specs}); null where an app has no deploy settings. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<AppLayout> of(List<App> apps, List<AppSpec> specs) {
        Map<Long, AppDeploy> deploys = new HashMap<>();
        for (int from = 0; from < apps.size(); from += CHUNK) {
            List<Long> ids = apps.subList(from, Math.min(apps.size(), from + CHUNK)).stream().map(a -> a.id).toList();
            AppDeploy.<AppDeploy>list("appId in ?1", ids).forEach(d -> deploys.put(d.appId, d));
        }
        Map<String, Release> releases = releasesOfTwoTrackApps(deploys.values());
        List<AppLayout> layouts = new ArrayList<>(apps.size());
        for (int i = 0; i < apps.size(); i++) {
            App a = apps.get(i);
            AppDeploy d = deploys.get(a.id);
            layouts.add(d == null ? null : layout(a, specs.get(i), d, releases));
        }
        return layouts;
    }

    /**
     * Replaces, for one region, the layouts of apps whose region waits for its wave ({@code app_region}'s pinned
     * release): such a region keeps running the pinned release's snapshot as a single Deployment.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void pin(List<App> apps, List<AppSpec> specs, List<AppLayout> layouts, long regionId) {
        regionLayouts(apps, specs, layouts, regionId);
        Map<Long, Integer> pins = new HashMap<>();
        for (dev.berth.placement.AppRegion row : dev.berth.placement.AppRegion.<dev.berth.placement.AppRegion>list(
                "regionId = ?1 and pinnedRelease is not null", regionId)) {
            pins.put(row.appId, row.pinnedRelease);
        }
        if (pins.isEmpty()) {
            return;
        }
        for (int i = 0; i < apps.size(); i++) {
            Integer pinned = pins.get(apps.get(i).id);
            if (pinned == null) {
                continue;
            }
            Release r = Release.find(apps.get(i).id, pinned);
            AppLayout was = layouts.get(i);
            AppSpec spec = spec(specs.get(i), r);
            layouts.set(i, was == null ? new AppLayout(AppLayout.ROLLING, "25%", "0", null, 0,
                    List.of(new AppLayout.Track(null, spec, spec.replicas(), pinned)))
                    : new AppLayout(was.strategy(), was.maxSurge(), was.maxUnavailable(), was.liveColor(),
                            was.canaryWeight(), List.of(new AppLayout.Track(null, spec, spec.replicas(), pinned))));
        }
    }

    /**
     * Replaces, for one region, the layouts of blue/green and canary apps whose layout there differs from the app's
     * ({@link RegionDeploy}: a wave not started yet, starting, switched, or left behind by a stopped rollout).
     */
    private void regionLayouts(List<App> apps, List<AppSpec> specs, List<AppLayout> layouts, long regionId) {
        Map<Long, RegionDeploy> own = new HashMap<>();
        RegionDeploy.<RegionDeploy>list("regionId", regionId).forEach(r -> own.put(r.appId, r));
        if (own.isEmpty()) {
            return;
        }
        for (int i = 0; i < apps.size(); i++) {
            App a = apps.get(i);
            RegionDeploy row = own.get(a.id);
            AppDeploy d = row == null ? null : AppDeploy.<AppDeploy>findById(a.id);
            if (d != null && d.twoTracks()) {
                layouts.set(i, layout(a, specs.get(i), d, row.layout(), releasesOf(a.id, row.layout())));
            }
        }
    }

    private static Map<String, Release> releasesOf(long appId, RegionLayout l) {
        Map<String, Release> found = new HashMap<>();
        for (Integer n : new Integer[] {l.liveRelease(), l.idleRelease()}) {
            if (n != null) {
                Release r = Release.find(appId, n);
                if (r != null) {
                    found.put(appId + "#" + n, r);
                }
            }
        }
        return found;
    }

    /** One app's layout in one region, as the current transaction sees it (plans: per region, rows included). */
    @Transactional(Transactional.TxType.MANDATORY)
    public AppLayout layoutIn(App a, AppSpec base, long regionId) {
        List<AppLayout> one = new ArrayList<>(List.of(layoutOf(a, base)));
        pin(List.of(a), List.of(base), one, regionId);
        return one.get(0);
    }

    /** One app's layout as the current transaction sees it (plans use it on changes they then roll back). */
    @Transactional(Transactional.TxType.MANDATORY)
    public AppLayout layoutOf(App a, AppSpec base) {
        AppDeploy d = AppDeploy.findById(a.id);
        if (d == null) {
            return AppLayout.rolling(base);
        }
        return layout(a, base, d, releasesOfTwoTrackApps(List.of(d)));
    }

    AppLayout layout(App a, AppSpec base, AppDeploy d, Map<String, Release> releases) {
        return layout(a, base, d, RegionLayout.of(d), releases);
    }

    /**
     * The layout of {@code d}'s strategy and settings with the tracks of {@code l}. During a strategy change the
     * leaving strategy's serving track is kept, rendered exactly as before the change, and its strategy names the
     * Service's selector until the change switches it.
     */
    AppLayout layout(App a, AppSpec base, AppDeploy d, RegionLayout l, Map<String, Release> releases) {
        List<AppLayout.Track> tracks = tracks(d.strategy, a, base, l, releases);
        String serving = d.strategy;
        if (d.leavingStrategy != null) {
            RegionLayout settled = new RegionLayout(l.liveColor(), l.liveRelease(), null, 0);
            tracks.addAll(tracks(d.leavingStrategy, a, base, settled, releases));
            serving = d.leavingServes ? d.leavingStrategy : d.strategy;
        }
        return new AppLayout(serving, d.maxSurge, d.maxUnavailable, l.liveColor(), d.canaryWeight, tracks);
    }

    private List<AppLayout.Track> tracks(String strategy, App a, AppSpec base, RegionLayout l,
            Map<String, Release> releases) {
        int live = l.liveRelease() == null ? 0 : l.liveRelease();
        List<AppLayout.Track> tracks = new ArrayList<>();
        switch (strategy) {
            case AppDeploy.BLUE_GREEN -> {
                tracks.add(new AppLayout.Track(l.liveColor(), spec(base, releases.get(a.id + "#" + live)), a.replicas,
                        live));
                if (l.idleRelease() != null) {
                    tracks.add(new AppLayout.Track(l.idleColor(), spec(base, releases.get(a.id + "#" + l.idleRelease())),
                            l.idleReplicas(), l.idleRelease()));
                }
                tracks.sort((x, y) -> x.label().compareTo(y.label()));
            }
            case AppDeploy.CANARY -> {
                boolean canary = l.canaryRunning();
                int stable = canary ? Math.max(1, a.replicas - l.idleReplicas()) : a.replicas;
                tracks.add(new AppLayout.Track("stable", spec(base, releases.get(a.id + "#" + live)), stable, live));
                if (canary) {
                    tracks.add(new AppLayout.Track("canary", spec(base, releases.get(a.id + "#" + l.idleRelease())),
                            l.idleReplicas(), l.idleRelease()));
                }
            }
            default -> tracks.add(new AppLayout.Track(null, base, a.replicas, live));
        }
        return tracks;
    }

    /**
     * The releases blue/green and canary apps' tracks run (also while an app changes from or to such a strategy),
     * keyed "appId#number", in one query per chunk.
     */
    private static Map<String, Release> releasesOfTwoTrackApps(java.util.Collection<AppDeploy> deploys) {
        Set<Long> ids = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        Set<String> wanted = new HashSet<>();
        for (AppDeploy d : deploys) {
            if (!d.twoTracks() && d.leavingStrategy == null) {
                continue;
            }
            for (Integer n : new Integer[] {d.liveRelease, d.idleRelease}) {
                if (n != null) {
                    ids.add(d.appId);
                    numbers.add(n);
                    wanted.add(d.appId + "#" + n);
                }
            }
        }
        Map<String, Release> found = new HashMap<>();
        List<Long> idList = new ArrayList<>(ids);
        for (int from = 0; from < idList.size(); from += CHUNK) {
            List<Long> chunk = idList.subList(from, Math.min(idList.size(), from + CHUNK));
            for (Release r : Release.<Release>list("appId in ?1 and number in ?2", chunk, numbers)) {
                String key = r.appId + "#" + r.number;
                if (wanted.contains(key)) {
                    found.put(key, r);
                }
            }
        }
        return found;
    }

    /** The app as a release ran it: the release's image and configuration, the app's scale and routing. */
    AppSpec spec(AppSpec base, Release r) {
        if (r == null) {
            return base;
        }
        ReleaseConfig c = r.config;
        TreeMap<String, String> plain = new TreeMap<>();
        c.secretEnv().forEach((k, v) -> plain.put(k, secrets.decrypt(v)));
        return new AppSpec(base.tenant(), base.name(), r.image, c.port(), base.replicas(), c.cpuRequestMillis(),
                c.cpuLimitMillis(), c.memoryRequestBytes(), c.memoryLimitBytes(), c.healthPath(), base.customDomain(),
                new TreeMap<>(c.env()), plain);
    }
}
