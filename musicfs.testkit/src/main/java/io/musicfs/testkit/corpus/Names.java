package io.musicfs.testkit.corpus;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Plain ASCII names for bulk tracks, drawn from word lists. Artist names, album titles and track
 * titles come from separate vocabularies, so an artist can never be spelled like an album, and no
 * name needs cleaning (letters, digits, spaces and apostrophes only). Not thread-safe (shares the
 * caller's {@link Random}).
 */
final class Names {

    private static final List<String> ARTIST_ADJECTIVES = List.of("Amber", "Black", "Broken", "Burning", "Crimson",
            "Crystal", "Distant", "Electric", "Faded", "Frozen", "Golden", "Hollow", "Iron", "Lonely", "Midnight",
            "Neon", "Northern", "Pale", "Restless", "Silver", "Southern", "Static", "Velvet", "Wild");
    private static final List<String> ARTIST_NOUNS = List.of("Anchors", "Arrows", "Bells", "Cities", "Engines",
            "Foxes", "Ghosts", "Harbors", "Horses", "Lanterns", "Machines", "Mirrors", "Saints", "Signals",
            "Towers", "Trains", "Wolves", "Sparrows", "Comets", "Magnets");
    private static final List<String> FIRST_NAMES = List.of("Ada", "Billie", "Carla", "Dexter", "Elena", "Felix",
            "Greta", "Hugo", "Ines", "Jonas", "Kira", "Louis", "Mara", "Nils", "Olive", "Pablo", "Rosa", "Sami",
            "Tessa", "Viktor");
    private static final List<String> LAST_NAMES = List.of("Abbott", "Brennan", "Castillo", "Doyle", "Eriksen",
            "Fontaine", "Gallagher", "Hale", "Ibarra", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak",
            "Okafor", "Petrov", "Quinn", "Romero", "Sato", "Thorne");
    private static final List<String> ALBUM_WORDS = List.of("Afterglow", "Blueprints", "Carousel", "Daybreak",
            "Embers", "Fieldnotes", "Gravity", "Horizons", "Islands", "Jubilee", "Kaleidoscope", "Lullabies",
            "Monuments", "Nightfall", "Orbit", "Postcards", "Quarantine", "Reverie", "Satellites", "Thunder",
            "Undertow", "Vertigo", "Wanderlust", "Zenith");
    private static final List<String> ALBUM_ADJECTIVES = List.of("Acoustic", "Borrowed", "Careless", "Endless",
            "Forgotten", "Hidden", "Infinite", "Late", "Modern", "Open", "Paper", "Secret", "Summer", "Tender",
            "Urban", "Wooden");
    private static final List<String> TITLE_WORDS = List.of("Rain", "Fire", "Home", "Road", "Light", "Heart", "Sky",
            "Sea", "Dream", "Night", "Morning", "Shadow", "River", "Stone", "Glass", "Dust", "Wind", "Snow",
            "Garden", "Window", "Letter", "Mountain", "Echo", "Silence");
    private static final List<String> TITLE_STARTS = List.of("Running", "Falling", "Waiting for", "Under the",
            "Beyond the", "Back to", "Song for", "Dancing in the", "All the", "Another", "Little", "Blue");
    /** Genres with an ID3v1 index, so ID3v1 tails store them exactly. */
    private static final List<String> GENRES = List.of("Blues", "Country", "Funk", "Hip-Hop", "Jazz", "Metal", "Pop",
            "Reggae", "Rock", "Techno", "Alternative", "Soundtrack");

    private final Random random;

    Names(Random random) {
        this.random = random;
    }

    String artist() {
        return switch (random.nextInt(3)) {
            case 0 -> "The " + pick(ARTIST_ADJECTIVES) + " " + pick(ARTIST_NOUNS);
            case 1 -> pick(ARTIST_ADJECTIVES) + " " + pick(ARTIST_NOUNS);
            default -> person();
        };
    }

    String person() {
        return pick(FIRST_NAMES) + " " + pick(LAST_NAMES);
    }

    String album() {
        return switch (random.nextInt(3)) {
            case 0 -> pick(ALBUM_WORDS) + " and " + pick(ALBUM_WORDS);
            case 1 -> pick(ALBUM_ADJECTIVES) + " " + pick(ALBUM_WORDS);
            default -> pick(ALBUM_WORDS);
        };
    }

    String title() {
        return random.nextBoolean() ? pick(TITLE_STARTS) + " " + pick(TITLE_WORDS)
                : pick(TITLE_WORDS) + " " + pick(TITLE_WORDS).toLowerCase(Locale.ROOT);
    }

    String genre() {
        return pick(GENRES);
    }

    private String pick(List<String> words) {
        return words.get(random.nextInt(words.size()));
    }
}
