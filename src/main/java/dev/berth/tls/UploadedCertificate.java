package dev.berth.tls;

import dev.berth.api.Validator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A certificate chain and private key a tenant uploads for an app, checked before anything is stored: the chain
 * parses as PEM X.509 certificates, the server certificate first and each one signed by the next; it is valid now;
 * its names (subject alternative names; wildcards cover one label) cover every host the app is served at; and the
 * key (PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted) belongs to it, proven by signing and verifying a challenge.
 * Errors name the field, {@code certificate} or {@code key}. Only the public facts are kept for showing.
 */
public record UploadedCertificate(String chainPem, String keyPem, String subject, String issuer, List<String> names,
        Instant notBefore, Instant notAfter) {
    public static final int MAX_CHAIN_CHARS = 65_536;
    public static final int MAX_KEY_CHARS = 16_384;
    /** The key algorithms Berth reads (OIDs of RSA, EC and Ed25519). */
    private static final java.util.Set<String> ALGORITHMS = java.util.Set.of("1.2.840.113549.1.1.1",
            "1.2.840.10045.2.1", "1.3.101.112");
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    /** Parses and checks the upload; returns null when {@code v} now holds errors. */
    public static UploadedCertificate parse(Validator v, String chainPem, String keyPem, List<String> hosts,
            Instant now) {
        v.check(chainPem != null && !chainPem.isBlank(), "certificate", "is required with mode uploaded");
        v.check(keyPem != null && !keyPem.isBlank(), "key", "is required with mode uploaded");
        if (v.hasErrors()) {
            return null;
        }
        v.check(chainPem.length() <= MAX_CHAIN_CHARS, "certificate", "must be at most " + MAX_CHAIN_CHARS
                + " characters of PEM");
        v.check(keyPem.length() <= MAX_KEY_CHARS, "key", "must be at most " + MAX_KEY_CHARS + " characters of PEM");
        if (v.hasErrors()) {
            return null;
        }
        List<X509Certificate> chain = chain(v, chainPem);
        PrivateKey key = key(v, keyPem);
        if (chain == null) {
            return null;
        }
        X509Certificate leaf = chain.get(0);
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            v.add("certificate", "expired on " + leaf.getNotAfter().toInstant());
        } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
            v.add("certificate", "is not valid before " + leaf.getNotBefore().toInstant());
        }
        List<String> names = names(leaf);
        if (names.isEmpty()) {
            v.add("certificate", "has no DNS names (subject alternative names); browsers require them");
        } else {
            List<String> uncovered = hosts.stream().filter(h -> !covers(names, h)).toList();
            if (!uncovered.isEmpty()) {
                v.add("certificate", "does not cover " + String.join(", ", uncovered) + " (it names "
                        + String.join(", ", names) + ")");
            }
        }
        if (key != null && !matches(key, leaf.getPublicKey())) {
            v.add("key", "does not belong to the certificate");
        }
        if (v.hasErrors()) {
            return null;
        }
        return new UploadedCertificate(chainPem.strip() + "\n", keyPem.strip() + "\n",
                leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(), names,
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    }

    /** Whether a certificate naming {@code names} covers {@code host}; a wildcard covers exactly one label. */
    public static boolean covers(List<String> names, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String n : names) {
            String name = n.toLowerCase(Locale.ROOT);
            if (name.equals(h)) {
                return true;
            }
            if (name.startsWith("*.")) {
                int dot = h.indexOf('.');
                if (dot > 0 && h.substring(dot + 1).equals(name.substring(2))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<X509Certificate> chain(Validator v, String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            v.add("certificate", "must be a PEM certificate chain (-----BEGIN CERTIFICATE-----), the server "
                    + "certificate first");
            return null;
        }
        Collection<? extends java.security.cert.Certificate> parsed;
        try {
            parsed = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | RuntimeException e) {
            v.add("certificate", "is not a readable PEM certificate chain");
            return null;
        }
        List<X509Certificate> chain = new ArrayList<>();
        parsed.forEach(c -> chain.add((X509Certificate) c));
        if (chain.isEmpty()) {
            v.add("certificate", "holds no certificate");
            return null;
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            X509Certificate next = chain.get(i + 1);
            try {
                c.verify(next.getPublicKey());
            } catch (GeneralSecurityException | RuntimeException e) {
                v.add("certificate", "certificate " + (i + 1) + " of the chain is not signed by certificate "
                        + (i + 2) + ": put the server certificate first, then each issuer");
                return null;
            }
        }
        return chain;
    }

    private static PrivateKey key(Validator v, String pem) {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            parsed = null;
        }
        if (parsed instanceof PEMEncryptedKeyPair || parsed instanceof PKCS8EncryptedPrivateKeyInfo) {
            v.add("key", "must not be encrypted with a passphrase");
            return null;
        }
        PrivateKeyInfo info = parsed instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo()
                : parsed instanceof PrivateKeyInfo i ? i : null;
        if (info != null) {
            try {
                if (!ALGORITHMS.contains(info.getPrivateKeyAlgorithm().getAlgorithm().getId())) {
                    throw new GeneralSecurityException("unsupported key algorithm");
                }
                // BouncyCastle's provider reads EC keys whose curve is named inside the key (SEC1), which the
                // JDK's key factory refuses; it is used here only, not registered for the whole JVM.
                return new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                v.add("key", "is not a private key Berth can read (RSA, EC or Ed25519)");
                return null;
            }
        }
        v.add("key", "must be a PEM private key (-----BEGIN PRIVATE KEY-----, or RSA or EC PRIVATE KEY)");
        return null;
    }

    private static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateException e) {
            return List.of();
        }
        return names;
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    static boolean matches(PrivateKey key, PublicKey pub) {
        if (!family(key.getAlgorithm()).equals(family(pub.getAlgorithm()))) {
            return false;
        }
        String algorithm = switch (family(key.getAlgorithm())) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance(algorithm, BC);
            s.initSign(key);
            s.update(challenge);
            byte[] signature = s.sign();
            Signature check = Signature.getInstance(algorithm, BC);
            check.initVerify(pub);
            check.update(challenge);
            return check.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The key family whatever the provider calls it (BouncyCastle says ECDSA, the JDK EC). */
    private static String family(String algorithm) {
        return switch (algorithm) {
            case "ECDSA", "EC" -> "EC";
            case "EdDSA", "Ed25519" -> "Ed25519";
            default -> algorithm;
        };
    }
}
