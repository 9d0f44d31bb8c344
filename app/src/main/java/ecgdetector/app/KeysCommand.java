package ecgdetector.app;

import ecgdetector.model.release.ReleaseKeyFiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ecg keys}: makes the Ed25519 key pair releases are signed with, or says which one exists. The trainer
 * signs with the private key, streamers verify with the public key; by default both live in the user's config
 * folder, where {@code ./ecg train} and {@code ./ecg stream} on the same machine find them.
 */
@Command(
        name = "keys",
        header = "Make the key pair releases are signed with (Ed25519), or show the one there is.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes a new key pair: the private key (PKCS#8 PEM, readable by you only), which",
            "./ecg train signs releases with, and the public key (PEM), which every streamer",
            "is given to serve only releases signed with it. An existing pair is kept and",
            "shown; a key file is never replaced. By default both go to the config folder",
            "($XDG_CONFIG_HOME/ecg-detector/, else ~/.config/ecg-detector/), where train and",
            "stream on this machine look for them.",
            "",
            "To rotate: make a new pair elsewhere (--dir), give streamers both public keys,",
            "switch the trainer to the new private key, then drop the old public key."
        })
final class KeysCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "Folder of the pair, as " + ReleaseKeyFiles.PRIVATE_KEY_FILE + " and "
                    + ReleaseKeyFiles.PUBLIC_KEY_FILE + " (default: the config folder).")
    Path dir;

    @Option(
            names = "--private-key",
            paramLabel = "FILE",
            description = "Private key file, instead of DIR/" + ReleaseKeyFiles.PRIVATE_KEY_FILE + ".")
    Path privateKey;

    @Option(
            names = "--public-key",
            paramLabel = "FILE",
            description = "Public key file, instead of DIR/" + ReleaseKeyFiles.PUBLIC_KEY_FILE
                    + " (e.g. on a volume the streamers mount).")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
        Path folder = dir != null ? dir : ReleaseKeyFiles.defaultFolder(System.getenv());
        Path privateFile = privateKey != null ? privateKey : folder.resolve(ReleaseKeyFiles.PRIVATE_KEY_FILE);
        Path publicFile = publicKey != null ? publicKey : folder.resolve(ReleaseKeyFiles.PUBLIC_KEY_FILE);
        ReleaseKeyFiles.Pair pair = ReleaseKeyFiles.loadOrCreate(privateFile, publicFile, false);
        PrintStream out = System.out;
        out.println((pair.created() ? "Created" : "Kept the existing") + " release signing key "
                + pair.key().keyId());
        out.println("  private key " + pair.privateKey() + "  (sign with: ./ecg train --signing-key-file FILE)");
        out.println("  public key  " + pair.publicKey() + "  (verify with: ./ecg stream --release-public-key FILE)");
        return 0;
    }
}
