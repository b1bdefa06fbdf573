package dev.berth.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.berth.testsupport.KnownUsers;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Values for the request properties whose rules a schema cannot express, keyed by property name and JSON type, so
 * a generated body passes validation. Properties not named here get a plain value of their type; a property added
 * later works without an entry as long as any value of its type is valid.
 */
final class BodyHints implements BiFunction<String, String, JsonNode> {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Map<String, JsonNode> hints;

    BodyHints(ProbeWorld world) {
        String newcomer = "probe-newcomer-" + world.a.tenant().substring(world.a.tenant().lastIndexOf('-') + 1);
        KnownUsers.add(newcomer);
        hints = Map.ofEntries(
                Map.entry("slug:string", F.textNode("probe-new-" + world.a.tenant().substring(8))),
                Map.entry("name:string", F.textNode("probe-new")),
                Map.entry("displayName:string", F.textNode("Probe")),
                Map.entry("image:string", F.textNode("registry.example.com/probe/new:2")),
                Map.entry("cpu:string", F.textNode("1")),
                Map.entry("cpuRequest:string", F.textNode("100m")),
                Map.entry("cpuLimit:string", F.textNode("500m")),
                Map.entry("memory:string", F.textNode("1Gi")),
                Map.entry("memoryRequest:string", F.textNode("128Mi")),
                Map.entry("memoryLimit:string", F.textNode("256Mi")),
                Map.entry("owners:array", F.arrayNode().add(world.a.owner())),
                Map.entry("plan:string", F.textNode("business")),
                Map.entry("overrides:object", NullNode.instance),
                Map.entry("user:string", F.textNode(newcomer)),
                Map.entry("role:string", F.textNode("viewer")),
                Map.entry("app:string", F.textNode(world.a.app())),
                Map.entry("expiresInDays:integer", F.numberNode(30)),
                Map.entry("repoUrl:string", F.textNode("http://127.0.0.1:9/probe.git")),
                Map.entry("ref:string", F.textNode("main")),
                Map.entry("subDirectory:string", NullNode.instance),
                Map.entry("dockerfile:string", F.textNode("Dockerfile")),
                Map.entry("username:string", F.textNode("x-access-token")),
                Map.entry("token:string", F.textNode("probe-token-value")),
                Map.entry("sshPrivateKey:string", NullNode.instance),
                Map.entry("sshKnownHosts:string", NullNode.instance),
                Map.entry("url:string", F.textNode(world.hookUrl)),
                Map.entry("events:array", F.arrayNode().add("build.succeeded")),
                Map.entry("commitSha:string", NullNode.instance),
                Map.entry("healthPath:string", F.textNode("/healthz")),
                Map.entry("customDomain:string", NullNode.instance),
                Map.entry("removeSecretEnv:array", F.arrayNode()),
                Map.entry("port:integer", F.numberNode(8080)),
                Map.entry("replicas:integer", F.numberNode(1)),
                Map.entry("replicas:array", F.arrayNode()),
                Map.entry("primary:string", F.textNode("local")),
                Map.entry("mode:string", F.textNode("full")),
                Map.entry("waves:array", NullNode.instance),
                Map.entry("cacheRules:array", NullNode.instance),
                Map.entry("regionReplicas:object", NullNode.instance),
                Map.entry("kubeconfig:string", F.textNode("not a kubeconfig")),
                Map.entry("context:string", NullNode.instance),
                Map.entry("latitude:number", F.numberNode(10.5)),
                Map.entry("longitude:number", F.numberNode(10.5)),
                Map.entry("baseDomain:string", F.textNode("probe.example.com")),
                Map.entry("ingressClass:string", F.textNode("nginx")),
                Map.entry("ingressNamespace:string", F.textNode("ingress-nginx")),
                Map.entry("tenants:array", F.arrayNode()),
                Map.entry("strategy:string", F.textNode("rolling")),
                Map.entry("maxSurge:string", F.textNode("25%")),
                Map.entry("maxUnavailable:string", F.textNode("0")),
                Map.entry("holdSeconds:integer", F.numberNode(0)),
                Map.entry("progressDeadlineSeconds:integer", F.numberNode(600)),
                Map.entry("canaryWeight:integer", F.numberNode(10)),
                Map.entry("source:string", F.textNode("probe")),
                Map.entry("planFingerprint:string", NullNode.instance),
                Map.entry("rollbackTo:integer", F.numberNode(1)),
                Map.entry("pods:integer", F.numberNode(20)),
                Map.entry("apps:integer", F.numberNode(20)),
                Map.entry("replicasPerApp:integer", F.numberNode(3)),
                Map.entry("concurrentBuilds:integer", F.numberNode(1)),
                Map.entry("buildMinutesPerMonth:integer", F.numberNode(100)),
                Map.entry("regions:integer", F.numberNode(2)),
                Map.entry("customDomains:integer", F.numberNode(1)),
                Map.entry("buildTimeoutMinutes:integer", F.numberNode(10)));
    }

    @Override
    public JsonNode apply(String name, String type) {
        return hints.get(name + ":" + type);
    }
}
