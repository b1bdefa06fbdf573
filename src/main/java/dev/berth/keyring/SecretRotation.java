package dev.berth.keyring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.secrets.SecretBox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Re-seals stored secrets with the key ring's current key, while Berth runs: column by column
 * ({@link SealedColumns}), in batches of {@value #BATCH} rows, each a short transaction that locks its rows, opens
 * the values an older key sealed (or the first, key-less format) and seals them again. Rows are visited in id order
 * and only those holding a value of another key are read, so a run is idempotent, and one that stopped (Berth
 * killed, a key missing) is resumed by running it again. A value no key of the ring opens is left as it is and
 * reported. A value a request rewrote meanwhile with an older key (it read the row before) shows in
 * {@link #census()}; running again re-seals it.
 */
@ApplicationScoped
public class SecretRotation {
    private static final Logger LOG = Logger.getLogger(SecretRotation.class);
    static final int BATCH = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EntityManager em;
    @Inject
    SecretBox box;

    /** What a run did: values re-sealed, values it could not open (with the first errors), per column. */
    public record Result(long resealed, long failed, List<String> errors) {
    }

    /** Sealed values per key id ({@code v1}: the first format, no key id), over every sealed column. */
    public Map<String, Long> census() {
        StringBuilder sql = new StringBuilder("select k, count(*) from (select case when v like 'v1:%' then 'v1' "
                + "else split_part(v, ':', 2) end k from (");
        String sep = "";
        for (SealedColumns.Column c : SealedColumns.ALL) {
            sql.append(sep);
            sep = " union all ";
            if (c.json() == null) {
                sql.append("select ").append(c.column()).append(" v from ").append(c.table()).append(" where ")
                        .append(c.column()).append(" is not null");
            } else {
                sql.append("select e.value v from ").append(c.table()).append(", jsonb_each_text(case when ")
                        .append("jsonb_typeof(").append(c.value()).append(") = 'object' then ").append(c.value())
                        .append(" else '{}'::jsonb end) e");
            }
        }
        sql.append(") s) t group by k order by k");
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Long> out = new TreeMap<>();
            for (Object row : em.createNativeQuery(sql.toString()).getResultList()) {
                Object[] r = (Object[]) row;
                out.put((String) r[0], ((Number) r[1]).longValue());
            }
            return out;
        });
    }

    /** Sealed values not under the current key: what a run still has to do. */
    public long remaining() {
        String current = box.ring().currentId();
        return census().entrySet().stream().filter(e -> !e.getKey().equals(current)).mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** Re-seals every stored value another key sealed with the current key. */
    public Result resealAll() {
        long resealed = 0;
        long failed = 0;
        List<String> errors = new ArrayList<>();
        for (SealedColumns.Column c : SealedColumns.ALL) {
            long after = 0;
            while (true) {
                Batch b = batch(c, after);
                resealed += b.resealed;
                failed += b.failed;
                b.errors.stream().limit(Math.max(0, 10 - errors.size())).forEach(errors::add);
                if (b.lastId < 0) {
                    break;
                }
                after = b.lastId;
            }
        }
        LOG.infof("re-sealed %d stored secret(s) with the key '%s'; %d could not be opened", resealed,
                box.ring().currentId(), failed);
        return new Result(resealed, failed, errors);
    }

    private static final class Batch {
        long lastId = -1;
        long resealed;
        long failed;
        final List<String> errors = new ArrayList<>();
    }

    /** Rows after {@code after} with a value another key sealed, up to {@link #BATCH}, in one transaction. */
    private Batch batch(SealedColumns.Column c, long after) {
        // A sealed value of another key: the first format, or v2 with another key id.
        String notCurrent = "v(1:|2:(?!" + box.ring().currentId() + ":))";
        String where = c.json() == null ? c.column() + " ~ '^" + notCurrent + "'"
                : "(" + c.value() + ")::text ~ '\"" + notCurrent + "'";
        return QuarkusTransaction.requiringNew().call(() -> {
            Batch b = new Batch();
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("select " + c.key() + ", (" + c.value() + ")::text from "
                    + c.table() + " where " + c.key() + " > :after and " + where + " order by " + c.key() + " limit "
                    + BATCH + " for update")
                    .setParameter("after", after).getResultList();
            for (Object[] r : rows) {
                long id = ((Number) r[0]).longValue();
                b.lastId = id;
                try {
                    String next = c.json() == null ? box.reseal((String) r[1]) : resealJson((String) r[1]);
                    update(c, id, next);
                    b.resealed++;
                } catch (RuntimeException e) {
                    b.failed++;
                    b.errors.add(c.label() + " of row " + id + ": " + e.getMessage());
                }
            }
            return b;
        });
    }

    private String resealJson(String json) {
        try {
            Map<String, String> values = JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {
            });
            values.replaceAll((k, v) -> box.reseal(v));
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not a JSON object of sealed values");
        }
    }

    private void update(SealedColumns.Column c, long id, String value) {
        String set = c.json() == null ? c.column() + " = :v"
                : c.json().isEmpty() ? c.column() + " = cast(:v as jsonb)"
                : c.column() + " = jsonb_set(" + c.column() + ", '{" + c.json() + "}', cast(:v as jsonb))";
        em.createNativeQuery("update " + c.table() + " set " + set + " where " + c.key() + " = :id")
                .setParameter("v", value)
                .setParameter("id", id).executeUpdate();
    }
}
