package dev.chivato.server.data;

import dev.chivato.protocol.Base32Hex;
import dev.chivato.protocol.Name;
import dev.chivato.protocol.RData;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A zone's NSEC3 chain (RFC 5155): the parameters its names are hashed with (NSEC3PARAM: SHA-1, iterations, salt),
 * and the owners of its NSEC3 records in the order of their hashes. Base32hex keeps the order of the octets it
 * writes, so the owners' first labels, in lower case, sort as their hashes do. Immutable.
 */
public final class Nsec3Chain {
    private final int iterations;
    private final byte[] salt;
    /** The owners' first labels (the hashes, in base32hex, lower case), sorted. */
    private final String[] hashes;
    /** The owners, in the same order. */
    private final Name[] owners;

    private Nsec3Chain(int iterations, byte[] salt, String[] hashes, Name[] owners) {
        this.iterations = iterations;
        this.salt = salt;
        this.hashes = hashes;
        this.owners = owners;
    }

    /** The chain of a zone whose apex's NSEC3PARAM is {@code parameters} and whose NSEC3 owners are {@code owners}. */
    static Nsec3Chain of(RData parameters, List<Name> owners) {
        RData.Described param = (RData.Described) parameters;
        byte[] rdata = param.data();
        int iterations = param.u16(2);
        byte[] salt = Arrays.copyOfRange(rdata, 5, 5 + (rdata[4] & 0xff));
        List<Name> sorted = new ArrayList<>(owners);
        sorted.sort((a, b) -> firstLabel(a).compareTo(firstLabel(b)));
        return new Nsec3Chain(iterations, salt, sorted.stream().map(Nsec3Chain::firstLabel).toArray(String[]::new),
                sorted.toArray(Name[]::new));
    }

    private static String firstLabel(Name name) {
        return new String(name.label(0), java.nio.charset.StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }

    /** The hash of {@code name} (RFC 5155 section 5: SHA-1 over the name in lower case, then over each result). */
    public String hash(Name name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(name.toLowerCase().wire());
            sha1.update(salt);
            byte[] digest = sha1.digest();
            for (int i = 0; i < iterations; i++) {
                sha1.update(digest);
                sha1.update(salt);
                digest = sha1.digest();
            }
            return Base32Hex.format(digest, 0, digest.length).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is in every JDK", e);
        }
    }

    /** The owner of the NSEC3 record whose hash is {@code name}'s, or null (the name has none). */
    public Name matching(Name name) {
        int at = Arrays.binarySearch(hashes, hash(name));
        return at >= 0 ? owners[at] : null;
    }

    /**
     * The owner of the NSEC3 record that covers {@code name}: the last whose hash is before the name's, the chain
     * going round from the last to the first. Null when the chain is empty.
     */
    public Name covering(Name name) {
        if (owners.length == 0) {
            return null;
        }
        int at = Arrays.binarySearch(hashes, hash(name));
        int before = at >= 0 ? at : -at - 2; // an exact match covers nothing: the caller asks only for names not there
        return owners[before >= 0 ? before : owners.length - 1];
    }

    /** Whether an NSEC3 record's opt-out flag is set (RFC 5155 section 3.1.2.1). */
    public static boolean optOut(RData nsec3) {
        return (((RData.Described) nsec3).u16(0) & 1) != 0;
    }
}
