package io.musicfs.run.internal.control;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;

import org.osgi.service.cm.ConfigurationAdmin;

/** Maps {@link ControlSettings} onto Configuration Admin: the control component and one factory configuration per webhook. */
public final class ControlConfiguration {

    static final String CONTROL_PID = "musicfs.control";
    static final String WEBHOOK_FACTORY = "musicfs.control.webhook";

    private ControlConfiguration() {
    }

    public static void apply(ConfigurationAdmin admin, ControlSettings settings, Path cacheDir) throws IOException {
        admin.getConfiguration(CONTROL_PID, "?").update(new Hashtable<>(settings.componentProperties(cacheDir)));
        for (ControlSettings.Webhook hook : settings.webhooks()) {
            admin.getFactoryConfiguration(WEBHOOK_FACTORY, hook.name(), "?").update(new Hashtable<>(ControlSettings.webhookProperties(hook)));
        }
    }
}
