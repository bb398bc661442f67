package io.musicfs.run.internal;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.Callable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Connects the musicfs command to the bnd launcher of the exported jar: takes the command-line
 * arguments the launcher publishes and registers the {@link MainThread} for its main thread.
 * Inactive in a framework started any other way (integration tests configure the bundles
 * themselves).
 */
@Component(immediate = true)
public class Launcher {

    /** service property of the bnd launcher holding the command-line arguments */
    static final String ARGUMENTS = "launcher.arguments";

    private ServiceRegistration<?> registration;

    @Reference(service = Object.class, target = "(" + ARGUMENTS + "=*)")
    private Map<String, Object> launcherProperties;

    @Activate
    void activate(BundleContext context) {
        String[] args = (String[]) launcherProperties.get(ARGUMENTS);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("main.thread", Boolean.TRUE);
        registration = context.registerService(Callable.class, new MainThread(context, args, System.getenv(), System.out, System.err), props);
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping
        }
    }
}
