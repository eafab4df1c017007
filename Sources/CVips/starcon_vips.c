#include "starcon_vips.h"
#include <vips/vips.h>
#include <string.h>
#include <stdlib.h>
#include <pthread.h>
#include <malloc.h>

static pthread_once_t started = PTHREAD_ONCE_INIT;
static int start_result = -1;

/* libvips (and the libraries under it) warn on standard error about every damaged file it is given; the failure
 * itself comes back through vips_error. Anyone may upload damaged files, so the warnings would only fill the log. */
static void ignore_warning(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}

static void start(void) {
    /* glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MB), after which a
     * decode's pixel buffers come from the heap arenas and stay there: a fixed 1 MiB threshold keeps every
     * large buffer an mmap of its own, handed back to the system the moment it is freed. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    start_result = VIPS_INIT("starcon");
    if (start_result == 0) {
        g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, ignore_warning, NULL);
        /* Untrusted input: refuse the loaders libvips marks unsafe, keep the cache small. */
        vips_block_untrusted_set(TRUE);
        vips_cache_set_max(0);
        vips_cache_set_max_mem(0);
        vips_cache_set_max_files(0);
        /* One libvips worker per pipeline: starcon_vips_process runs its renditions on threads of its own. */
        vips_concurrency_set(1);
    }
}

int starcon_vips_start(void) {
    pthread_once(&started, start);
    return start_result;
}

/* Loads with the one loader that matches the format we recognised by content, never by guessing.
 * fail_on truncated: a file that ends before its pixels do is an error, not a picture padded with grey (the
 * Swift header check refuses most of them before this; this catches what a header cannot show).
 * sequential: read top to bottom once (a header, or a decode that needs no rotation); else the loader keeps
 * every pixel for random access. shrink (1, 2, 4 or 8) is JPEG shrink-on-load: libjpeg decodes at that fraction of the size (DCT scaling). */
static VipsImage *load(const void *data, size_t length, sc_format format, int sequential, int shrink) {
    VipsImage *image = NULL;
    VipsAccess access = sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
    switch (format) {
    case SC_JPEG:
        vips_jpegload_buffer((void *)data, length, &image, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                             "shrink", shrink > 1 ? shrink : 1, NULL);
        break;
    case SC_PNG: vips_pngload_buffer((void *)data, length, &image, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL); break;
    case SC_GIF: vips_gifload_buffer((void *)data, length, &image, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED, "n", 1, NULL); break;
    case SC_WEBP: vips_webpload_buffer((void *)data, length, &image, "access", access, "fail_on", VIPS_FAIL_ON_TRUNCATED, "n", 1, NULL); break;
    }
    return image;
}

int starcon_vips_probe(const void *data, size_t length, sc_format format, int *width, int *height) {
    if (starcon_vips_start() != 0) return -1;
    VipsImage *image = load(data, length, format, 1, 1);
    if (!image) return -1;
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    g_object_unref(image);
    return 0;
}

/* ---- Lossless metadata stripping of JPEG files ---------------------------------------------------------
 * The original of an upright JPEG is served as its own compressed data with every APPn segment (EXIF, GPS,
 * XMP, ICC, IPTC, JFIF thumbnails), every comment and everything after the end-of-image marker removed, and
 * a fixed JFIF header (no thumbnail, no density) put back so decoders still read the colours as YCbCr: the
 * same as `jpegtran -copy none`, without a decode and re-encode of the full-size picture. Anything unusual
 * (arithmetic or lossless coding, CMYK, RGB-coded data, a marker we do not know, a truncated file) returns
 * NULL, and the caller re-encodes from the pixels instead. */

static const unsigned char jfif_header[] = {
    0xFF, 0xD8,                                                 /* SOI */
    0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, /* APP0, length 16, "JFIF\0", version 1.1 */
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,                   /* no units, aspect 1:1, no thumbnail */
};

/* Whether an ICC profile is (by its own description) sRGB, the colour space everything served is in. Camera and
 * phone profiles name themselves ("sRGB IEC61966-2.1", "Display P3", "Adobe RGB (1998)"), in ASCII (ICC v2) or
 * UTF-16BE (v4). */
static int icc_is_srgb(const unsigned char *icc, size_t n) {
    for (size_t i = 0; i + 4 <= n; i++) {
        if (memcmp(icc + i, "sRGB", 4) == 0 || (i + 8 <= n && memcmp(icc + i, "\0s\0R\0G\0B", 8) == 0)) return 1;
    }
    return 0;
}

static unsigned char *jpeg_strip(const unsigned char *p, size_t n, size_t *out_length) {
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8) return NULL;
    unsigned char *out = malloc(n + sizeof jfif_header);
    if (!out) return NULL;
    size_t o = sizeof jfif_header;
    memcpy(out, jfif_header, sizeof jfif_header);
    int has_jfif = 0, adobe_transform = -1, components = 0, component_ids_rgb = 0, frames = 0;
    size_t i = 2;
    for (;;) {
        if (i + 1 >= n || p[i] != 0xFF) goto refuse;
        while (i + 1 < n && p[i + 1] == 0xFF) i++; /* fill bytes */
        if (i + 1 >= n) goto refuse;
        unsigned char marker = p[i + 1];
        if (marker == 0xD9) { /* EOI: anything after it (appended files, trailers) is dropped */
            if (frames != 1) goto refuse;
            /* The JFIF header put back means YCbCr: refuse data that libjpeg would read as RGB without it (an Adobe
             * header saying "no transform", or components named R, G, B). */
            if (components == 3 && !has_jfif && (adobe_transform >= 0 ? adobe_transform != 1 : component_ids_rgb)) goto refuse;
            out[o++] = 0xFF;
            out[o++] = 0xD9;
            *out_length = o;
            return out;
        }
        if (i + 3 >= n) goto refuse;
        size_t length = ((size_t)p[i + 2] << 8) | p[i + 3];
        if (length < 2 || i + 2 + length > n) goto refuse;
        const unsigned char *body = p + i + 4;
        size_t body_length = length - 2;
        int keep;
        if (marker >= 0xE0 && marker <= 0xEF) { /* APPn: metadata, dropped; note what tells the colour model */
            if (marker == 0xE0 && body_length >= 5 && memcmp(body, "JFIF\0", 5) == 0) has_jfif = 1;
            if (marker == 0xEE && body_length >= 12 && memcmp(body, "Adobe", 5) == 0) adobe_transform = body[11];
            /* Pixels in another colour space (a phone's Display P3) must be converted, so re-encoded. A profile
             * split over several segments is not looked into: it is re-encoded too. */
            if (marker == 0xE2 && body_length >= 14 && memcmp(body, "ICC_PROFILE", 12) == 0
                && !(body[12] == 1 && body[13] == 1 && icc_is_srgb(body + 14, body_length - 14))) goto refuse;
            keep = 0;
        } else if (marker == 0xFE) { /* COM */
            keep = 0;
        } else if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) { /* baseline, extended, progressive Huffman */
            if (body_length < 6 || frames++ > 0) goto refuse;
            components = body[5];
            if (components != 1 && components != 3) goto refuse;
            if (body_length < 6 + 3 * (size_t)components) goto refuse;
            if (components == 3) component_ids_rgb = body[6] == 'R' && body[9] == 'G' && body[12] == 'B';
            keep = 1;
        } else if (marker == 0xC4 || marker == 0xDB || marker == 0xDD) { /* DHT, DQT, DRI */
            keep = 1;
        } else if (marker == 0xDA) { /* SOS: the header, then entropy-coded data up to the next real marker */
            if (frames != 1) goto refuse;
            size_t j = i + 2 + length;
            while (j + 1 < n) {
                if (p[j] == 0xFF && p[j + 1] != 0x00 && !(p[j + 1] >= 0xD0 && p[j + 1] <= 0xD7)) {
                    if (p[j + 1] == 0xFF) { j++; continue; } /* fill byte before a marker */
                    break;
                }
                j += p[j] == 0xFF ? 2 : 1;
            }
            if (j + 1 >= n) goto refuse; /* truncated: no marker after the scan */
            memcpy(out + o, p + i, j - i);
            o += j - i;
            i = j;
            continue;
        } else {
            goto refuse; /* arithmetic coding, lossless, hierarchical, DNL, reserved: re-encode instead */
        }
        if (keep) {
            memcpy(out + o, p + i, 2 + length);
            o += 2 + length;
        }
        i += 2 + length;
    }
refuse:
    free(out);
    return NULL;
}

/* ---- Pixels ----------------------------------------------------------------------------------------- */

/* Oriented by its EXIF tag and in sRGB: through its own ICC profile when it has one that is not sRGB (every
 * rendition is served without a profile, so a browser reads its pixels as sRGB). The caller unrefs the result. */
static VipsImage *upright_srgb(VipsImage *image) {
    VipsImage *rotated = NULL;
    if (vips_autorot(image, &rotated, NULL) != 0) return NULL;
    const void *icc = NULL;
    size_t icc_length = 0;
    VipsImage *srgb = NULL;
    if (vips_image_get_typeof(rotated, VIPS_META_ICC_NAME)
        && vips_image_get_blob(rotated, VIPS_META_ICC_NAME, &icc, &icc_length) == 0 && !icc_is_srgb(icc, icc_length)
        && vips_icc_transform(rotated, &srgb, "srgb", "embedded", TRUE, "intent", VIPS_INTENT_PERCEPTUAL, NULL) == 0) {
        g_object_unref(rotated);
        return srgb;
    }
    vips_error_clear(); /* a profile lcms cannot use: the pixels are taken as they are, as before */
    int failed = vips_colourspace(rotated, &srgb, VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(rotated);
    return failed ? NULL : srgb;
}

/* Shrunk so that neither side exceeds max_side (never enlarged), computed into memory. */
static VipsImage *fit_in_memory(VipsImage *image, int max_side) {
    int width = vips_image_get_width(image), height = vips_image_get_height(image);
    int longest = width > height ? width : height;
    VipsImage *resized = NULL;
    if (longest > max_side) {
        if (vips_resize(image, &resized, (double)max_side / (double)longest, NULL) != 0) return NULL;
    } else {
        g_object_ref(image);
        resized = image;
    }
    VipsImage *memory = vips_image_copy_memory(resized);
    g_object_unref(resized);
    return memory;
}

static int encode(VipsImage *image, int quality, int progressive, sc_rendition *out) {
    int has_alpha = vips_image_hasalpha(image);
    int result;
    if (has_alpha) {
        result = vips_pngsave_buffer(image, &out->data, &out->length, "strip", TRUE, "compression", 6, NULL);
    } else {
        result = vips_jpegsave_buffer(image, &out->data, &out->length, "strip", TRUE, "Q", quality,
                                      "optimize_coding", TRUE, "interlace", progressive ? TRUE : FALSE, NULL);
    }
    out->width = vips_image_get_width(image);
    out->height = vips_image_get_height(image);
    out->is_png = has_alpha;
    out->must_free = 1;
    return result;
}

/* 8-bit RGB pixels of the image shrunk to fit size x size, alpha flattened onto white. */
static int rgb_pixels(VipsImage *image, int size, unsigned char **out, int *out_width, int *out_height) {
    VipsImage *small = fit_in_memory(image, size);
    if (!small) return -1;
    VipsImage *flat = NULL;
    if (vips_image_hasalpha(small)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        int failed = vips_flatten(small, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        g_object_unref(small);
        if (failed) return -1;
    } else {
        flat = small;
    }
    VipsImage *bytes = NULL;
    if (vips_cast_uchar(flat, &bytes, NULL) != 0) { g_object_unref(flat); return -1; }
    g_object_unref(flat);
    VipsImage *rgb = bytes;
    if (vips_image_get_bands(bytes) > 3) {
        if (vips_extract_band(bytes, &rgb, 0, "n", 3, NULL) != 0) { g_object_unref(bytes); return -1; }
        g_object_unref(bytes);
    } else if (vips_image_get_bands(bytes) == 1) {
        VipsImage *three = NULL;
        VipsImage *in[3] = { bytes, bytes, bytes };
        if (vips_bandjoin(in, &three, 3, NULL) != 0) { g_object_unref(bytes); return -1; }
        g_object_unref(bytes);
        rgb = three;
    }
    size_t length = 0;
    void *memory = vips_image_write_to_memory(rgb, &length);
    *out_width = vips_image_get_width(rgb);
    *out_height = vips_image_get_height(rgb);
    g_object_unref(rgb);
    if (!memory) return -1;
    *out = memory;
    return 0;
}

/* The work after the decode, in up to three jobs that read the same decoded pixels: the large view, the small
 * preview with the blurhash pixels, and (when it cannot keep its own compressed data) the original. With two
 * threads, each takes the next job not yet taken, so the slowest job decides the time, not their sum. */
typedef struct {
    VipsImage *pixels;
    const sc_options *options;
    sc_processed *out;
    int jobs;        /* 2, or 3 when the original is re-encoded */
    int next;        /* the next job to take, taken atomically */
    int failed;
    pthread_mutex_t lock;
    char error[512]; /* the first failure's libvips message (libvips keeps it per thread) */
} work;

static int run_job(work *w, int job) {
    const sc_options *options = w->options;
    sc_processed *out = w->out;
    int kind = job + 3 - w->jobs; /* 0 original (the largest job, so first), 1 large, 2 small */
    if (kind == 0) return encode(w->pixels, options->original_quality, options->original_progressive, &out->original);
    if (kind == 1) {
        VipsImage *large = fit_in_memory(w->pixels, options->large_side);
        if (!large) return -1;
        int result = encode(large, options->large_quality, options->large_progressive, &out->large);
        g_object_unref(large);
        return result;
    }
    VipsImage *small = fit_in_memory(w->pixels, options->small_side);
    if (!small) return -1;
    int result = encode(small, options->small_quality, options->small_progressive, &out->small);
    if (result == 0) result = rgb_pixels(small, options->blur_side, &out->pixels, &out->pixels_width, &out->pixels_height);
    g_object_unref(small);
    return result;
}

static void *worker(void *argument) {
    work *w = argument;
    for (;;) {
        int job = __atomic_fetch_add(&w->next, 1, __ATOMIC_SEQ_CST);
        if (job >= w->jobs) break;
        if (run_job(w, job) != 0) {
            pthread_mutex_lock(&w->lock);
            if (!w->failed) {
                const char *text = vips_error_buffer();
                strncpy(w->error, text && *text ? text : "could not make a rendition", sizeof w->error - 1);
            }
            w->failed = 1;
            pthread_mutex_unlock(&w->lock);
            vips_error_clear();
        }
    }
    return NULL;
}

static void *helper(void *argument) {
    worker(argument);
    vips_thread_shutdown();
    return NULL;
}

/* The smallest decode that still gives at least `side` pixels on the long side: 1, 2, 4 or 8. */
static int shrink_for(int longest, int side) {
    int shrink = 1;
    while (shrink < 8 && longest / (shrink * 2) >= side) shrink *= 2;
    return shrink;
}

void starcon_vips_processed_free(sc_processed *processed) {
    sc_rendition *renditions[3] = { &processed->original, &processed->large, &processed->small };
    for (int k = 0; k < 3; k++) {
        if (renditions[k]->data) {
            if (renditions[k]->must_free == 2) free(renditions[k]->data); else g_free(renditions[k]->data);
        }
        renditions[k]->data = NULL;
    }
    g_free(processed->pixels);
    processed->pixels = NULL;
    malloc_trim(0);
}

/* A decode frees hundreds of megabytes at the pixel limit; glibc keeps freed memory in its arenas (one per
 * thread that allocated) unless asked to give it back, so without this the server stays at its peak. */
static int returning_memory(int result) {
    malloc_trim(0);
    return result;
}

static int process(const void *data, size_t length, sc_format format, const sc_options *options, sc_processed *out);

int starcon_vips_process(const void *data, size_t length, sc_format format, const sc_options *options, sc_processed *out) {
    return returning_memory(process(data, length, format, options, out));
}

static int process(const void *data, size_t length, sc_format format, const sc_options *options, sc_processed *out) {
    if (starcon_vips_start() != 0) return -1;
    memset(out, 0, sizeof *out);
    VipsImage *header = load(data, length, format, 1, 1);
    if (!header) return -1;
    int orientation = vips_image_get_orientation(header);
    int width = vips_image_get_width(header), height = vips_image_get_height(header);
    g_object_unref(header);
    int longest = width > height ? width : height;

    /* An upright JPEG keeps its own compressed data as the original, minus every metadata segment; then the
     * pixels are needed only at the large view's size, and libjpeg can decode at 1/2, 1/4 or 1/8 directly. */
    int shrink = 1;
    if (format == SC_JPEG && orientation <= 1) {
        size_t stripped_length = 0;
        unsigned char *stripped = jpeg_strip(data, length, &stripped_length);
        if (stripped) {
            out->original.data = stripped;
            out->original.length = stripped_length;
            out->original.width = width;
            out->original.height = height;
            out->original.must_free = 2;
            shrink = shrink_for(longest, options->large_side);
        }
    }
    VipsImage *loaded = load(data, length, format, orientation <= 1, shrink);
    if (!loaded) goto fail;
    VipsImage *upright = upright_srgb(loaded);
    g_object_unref(loaded);
    if (!upright) goto fail;
    /* Decode once: every rendition below reads these pixels. */
    VipsImage *pixels = vips_image_copy_memory(upright);
    g_object_unref(upright);
    if (!pixels) goto fail;
    work w = { .pixels = pixels, .options = options, .out = out, .jobs = out->original.data ? 2 : 3 };
    pthread_mutex_init(&w.lock, NULL);
    pthread_t thread;
    int threaded = options->threads > 1 && pthread_create(&thread, NULL, helper, &w) == 0;
    worker(&w);
    if (threaded) pthread_join(thread, NULL);
    pthread_mutex_destroy(&w.lock);
    g_object_unref(pixels);
    if (w.failed) {
        vips_error("starcon", "%s", w.error);
        goto fail;
    }
    return 0;
fail:
    starcon_vips_processed_free(out);
    return -1;
}

const char *starcon_vips_error(void) {
    static __thread char message[512];
    const char *text = vips_error_buffer();
    strncpy(message, text ? text : "", sizeof message - 1);
    message[sizeof message - 1] = 0;
    vips_error_clear();
    return message;
}
