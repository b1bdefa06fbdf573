package dev.berth.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.ApiException;
import dev.berth.api.FieldError;
import dev.berth.api.Validator;
import dev.berth.testsupport.TestCertificates;
import dev.berth.testsupport.TestCertificates.Issued;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.Test;

/** The checks an uploaded certificate and key pass before anything is stored, each failure naming its field. */
class UploadedCertificateTest {
    private static final List<String> HOSTS = List.of("web.acme.apps.example.com");
    private static final Instant NOW = Instant.now();

    private static List<FieldError> errors(String cert, String key, List<String> hosts) {
        Validator v = new Validator();
        UploadedCertificate c = UploadedCertificate.parse(v, cert, key, hosts, NOW);
        try {
            v.throwIfInvalid();
        } catch (ApiException e) {
            assertThat(c).isNull();
            return e.errors();
        }
        assertThat(c).isNotNull();
        return List.of();
    }

    private static void assertRefused(String cert, String key, List<String> hosts, String field, String words) {
        List<FieldError> errors = errors(cert, key, hosts);
        assertThat(errors).as("errors").isNotEmpty();
        assertThat(errors).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.message()).contains(words);
        });
    }

    @Test
    void aValidSelfSignedCertificateWithItsPkcs8KeyIsAcceptedAndOnlyItsPublicFactsKept() {
        Issued i = TestCertificates.selfSigned(List.of("web.acme.apps.example.com", "www.acme.example"));
        Validator v = new Validator();
        UploadedCertificate c = UploadedCertificate.parse(v, i.certificatePem(), i.keyPem(), HOSTS, NOW);
        assertThat(v.hasErrors()).isFalse();
        assertThat(c.subject()).isEqualTo("CN=web.acme.apps.example.com");
        assertThat(c.names()).containsExactly("web.acme.apps.example.com", "www.acme.example");
        assertThat(c.notAfter()).isAfter(NOW.plus(Duration.ofDays(89)));
        assertThat(c.chainPem()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void traditionalRsaAndEcKeysAreRead() {
        Issued rsa = TestCertificates.selfSigned(HOSTS);
        assertThat(rsa.traditionalKeyPem()).contains("BEGIN RSA PRIVATE KEY");
        assertThat(errors(rsa.certificatePem(), rsa.traditionalKeyPem(), HOSTS)).isEmpty();

        KeyPair ec = TestCertificates.ec();
        X509Certificate cert = TestCertificates.certificate(ec, "CN=ec", HOSTS, ec.getPrivate(), "CN=ec",
                NOW.minusSeconds(60), NOW.plus(Duration.ofDays(10)), false);
        Issued i = new Issued(ec, cert);
        assertThat(i.traditionalKeyPem()).contains("BEGIN EC PRIVATE KEY");
        assertThat(errors(i.certificatePem(), i.traditionalKeyPem(), HOSTS)).isEmpty();
        assertThat(errors(i.certificatePem(), i.keyPem(), HOSTS)).isEmpty();
    }

    @Test
    void aWildcardCoversOneLabelOnly() {
        Issued i = TestCertificates.selfSigned(List.of("*.acme.apps.example.com"));
        assertThat(errors(i.certificatePem(), i.keyPem(), HOSTS)).isEmpty();
        assertRefused(i.certificatePem(), i.keyPem(), List.of("a.web.acme.apps.example.com"), "certificate",
                "does not cover a.web.acme.apps.example.com");
        assertThat(UploadedCertificate.covers(List.of("*.example.com"), "example.com")).isFalse();
        assertThat(UploadedCertificate.covers(List.of("WWW.Example.com"), "www.example.com")).isTrue();
    }

    @Test
    void aCertificateNotCoveringTheHostIsRefusedNamingTheHost() {
        Issued i = TestCertificates.selfSigned(List.of("other.example.com"));
        assertRefused(i.certificatePem(), i.keyPem(), HOSTS, "certificate",
                "does not cover web.acme.apps.example.com (it names other.example.com)");
    }

    @Test
    void anExpiredOrNotYetValidCertificateIsRefused() {
        KeyPair keys = TestCertificates.rsa();
        Issued expired = new Issued(keys, TestCertificates.certificate(keys, "CN=old", HOSTS, keys.getPrivate(),
                "CN=old", NOW.minus(Duration.ofDays(100)), NOW.minus(Duration.ofDays(10)), false));
        assertRefused(expired.certificatePem(), expired.keyPem(), HOSTS, "certificate", "expired on");
        Issued future = new Issued(keys, TestCertificates.certificate(keys, "CN=new", HOSTS, keys.getPrivate(),
                "CN=new", NOW.plus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(30)), false));
        assertRefused(future.certificatePem(), future.keyPem(), HOSTS, "certificate", "is not valid before");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheKey() {
        Issued i = TestCertificates.selfSigned(HOSTS);
        Issued other = TestCertificates.selfSigned(HOSTS);
        assertRefused(i.certificatePem(), other.keyPem(), HOSTS, "key", "does not belong to the certificate");
        KeyPair ec = TestCertificates.ec();
        assertRefused(i.certificatePem(), new Issued(ec, i.certificate()).traditionalKeyPem(), HOSTS, "key",
                "does not belong to the certificate");
    }

    @Test
    void aChainIsCheckedInOrderServerCertificateFirst() {
        KeyPair ca = TestCertificates.rsa();
        X509Certificate caCert = TestCertificates.certificate(ca, "CN=Test CA", List.of(), ca.getPrivate(),
                "CN=Test CA", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(365)), true);
        KeyPair server = TestCertificates.rsa();
        X509Certificate serverCert = TestCertificates.certificate(server, "CN=web", HOSTS, ca.getPrivate(),
                "CN=Test CA", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(30)), false);
        String key = new Issued(server, serverCert).keyPem();
        String inOrder = TestCertificates.pem(serverCert) + TestCertificates.pem(caCert);
        Validator v = new Validator();
        UploadedCertificate c = UploadedCertificate.parse(v, inOrder, key, HOSTS, NOW);
        assertThat(v.hasErrors()).isFalse();
        assertThat(c.issuer()).isEqualTo("CN=Test CA");
        assertRefused(TestCertificates.pem(caCert) + TestCertificates.pem(serverCert), key, HOSTS, "certificate",
                "is not signed by certificate 2");
    }

    @Test
    void unreadableEncryptedOrMissingInputsAreRefusedNamingTheirField() {
        Issued i = TestCertificates.selfSigned(HOSTS);
        assertRefused("not a certificate", i.keyPem(), HOSTS, "certificate", "PEM certificate chain");
        assertRefused("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", i.keyPem(), HOSTS,
                "certificate", "not a readable");
        assertRefused(i.certificatePem(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", HOSTS,
                "key", "");
        assertRefused(i.certificatePem(), i.certificatePem(), HOSTS, "key", "must be a PEM private key");
        assertRefused(null, i.keyPem(), HOSTS, "certificate", "is required");
        assertRefused(i.certificatePem(), " ", HOSTS, "key", "is required");
        assertRefused(i.certificatePem(), "x".repeat(UploadedCertificate.MAX_KEY_CHARS + 1), HOSTS, "key",
                "at most");

        java.io.StringWriter out = new java.io.StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(i.keys().getPrivate(), new JcePEMEncryptorBuilder("AES-256-CBC")
                    .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).build("pw".toCharArray()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertRefused(i.certificatePem(), out.toString(), HOSTS, "key", "must not be encrypted");
    }

    @Test
    void aCertificateWithoutDnsNamesIsRefused() {
        KeyPair keys = TestCertificates.rsa();
        Issued i = new Issued(keys, TestCertificates.certificate(keys, "CN=web.acme.apps.example.com", List.of(),
                keys.getPrivate(), "CN=x", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(30)), false));
        assertRefused(i.certificatePem(), i.keyPem(), HOSTS, "certificate", "has no DNS names");
    }
}
