package dev.berth.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the watch caches make of informer events: which updates are worth waking a reconciler for (anything beyond
 * the status the cluster maintains), and event handlers built from one function per kind of event. Kept apart from
 * {@link ClusterCache}, which owns the informers themselves.
 */
final class ObjectEvents {
    private ObjectEvents() {
    }

    /**
     * True when an update changed more than the status the cluster maintains: labels, annotations, owners,
     * deletion, or the spec of a kind that has a status. Kinds without a status count every update.
     */
    static boolean beyondStatus(HasMetadata before, HasMetadata after) {
        ObjectMeta o = before.getMetadata();
        ObjectMeta n = after.getMetadata();
        if (!Objects.equals(o.getLabels(), n.getLabels()) || !Objects.equals(o.getAnnotations(), n.getAnnotations())
                || !Objects.equals(o.getOwnerReferences(), n.getOwnerReferences())
                || !Objects.equals(o.getDeletionTimestamp(), n.getDeletionTimestamp())) {
            return true;
        }
        Object specBefore = specOf(before);
        return specBefore == NO_STATUS || !Objects.equals(specBefore, specOf(after));
    }

    private static final Object NO_STATUS = new Object();

    private static Object specOf(HasMetadata o) {
        if (o instanceof Deployment d) {
            return d.getSpec();
        }
        if (o instanceof ResourceQuota q) {
            return q.getSpec();
        }
        if (o instanceof Namespace ns) {
            return ns.getSpec();
        }
        if (o instanceof Service s) {
            return s.getSpec();
        }
        if (o instanceof Ingress i) {
            return i.getSpec();
        }
        // Autoscalers write their status every sync period, disruption budgets on every pod readiness change.
        if (o instanceof io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler h) {
            return h.getSpec();
        }
        if (o instanceof io.fabric8.kubernetes.api.model.autoscaling.v2beta2.HorizontalPodAutoscaler h) {
            return h.getSpec();
        }
        if (o instanceof io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget p) {
            return p.getSpec();
        }
        if (o instanceof io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget p) {
            return p.getSpec();
        }
        return NO_STATUS;
    }

    /** An informer event handler from one function per kind of event. */
    static ResourceEventHandler<HasMetadata> handler(Consumer<HasMetadata> added,
            BiConsumer<HasMetadata, HasMetadata> updated, Consumer<HasMetadata> deleted) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                added.accept(obj);
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                updated.accept(oldObj, newObj);
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                deleted.accept(obj);
            }
        };
    }
}
