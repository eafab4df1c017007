#include "starcon_vips.h"
#include <vips/vips.h>
#include <string.h>
#include <pthread.h>

static pthread_once_t started = PTHREAD_ONCE_INIT;
static int start_result = -1;

static void start(void) {
    start_result = VIPS_INIT("starcon");
    if (start_result == 0) {
        /* Untrusted input: refuse the loaders libvips marks unsafe, keep the cache small. */
        vips_block_untrusted_set(TRUE);
        vips_cache_set_max(0);
        vips_concurrency_set(1);
    }
}

int starcon_vips_start(void) {
    pthread_once(&started, start);
    return start_result;
}

/* Loads with the one loader that matches the format we recognised by content, never by guessing. */
static VipsImage *load(const void *data, size_t length, sc_format format, int header_only) {
    VipsImage *image = NULL;
    VipsAccess access = header_only ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
    switch (format) {
    case SC_JPEG: vips_jpegload_buffer((void *)data, length, &image, "access", access, "fail", FALSE, NULL); break;
    case SC_PNG: vips_pngload_buffer((void *)data, length, &image, "access", access, NULL); break;
    case SC_GIF: vips_gifload_buffer((void *)data, length, &image, "access", access, "n", 1, NULL); break;
    case SC_WEBP: vips_webpload_buffer((void *)data, length, &image, "access", access, "n", 1, NULL); break;
    }
    return image;
}

int starcon_vips_probe(const void *data, size_t length, sc_format format, int *width, int *height) {
    if (starcon_vips_start() != 0) return -1;
    VipsImage *image = load(data, length, format, 1);
    if (!image) return -1;
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    g_object_unref(image);
    return 0;
}

/* Oriented, resized, flattened to sRGB. The caller unrefs the result. */
static VipsImage *prepare(const void *data, size_t length, sc_format format, int max_side) {
    VipsImage *image = load(data, length, format, 0);
    if (!image) return NULL;
    VipsImage *rotated = NULL;
    if (vips_autorot(image, &rotated, NULL) != 0) { g_object_unref(image); return NULL; }
    g_object_unref(image);
    VipsImage *srgb = NULL;
    if (vips_colourspace(rotated, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0) { g_object_unref(rotated); return NULL; }
    g_object_unref(rotated);
    int width = vips_image_get_width(srgb), height = vips_image_get_height(srgb);
    int longest = width > height ? width : height;
    if (max_side > 0 && longest > max_side) {
        VipsImage *small = NULL;
        double scale = (double)max_side / (double)longest;
        if (vips_resize(srgb, &small, scale, NULL) != 0) { g_object_unref(srgb); return NULL; }
        g_object_unref(srgb);
        return small;
    }
    return srgb;
}

int starcon_vips_render(const void *data, size_t length, sc_format format, int max_side, int quality,
                        void **out, size_t *out_length, int *out_width, int *out_height, int *out_is_png) {
    if (starcon_vips_start() != 0) return -1;
    VipsImage *image = prepare(data, length, format, max_side);
    if (!image) return -1;
    int has_alpha = vips_image_hasalpha(image);
    int result;
    if (has_alpha) {
        result = vips_pngsave_buffer(image, out, out_length, "strip", TRUE, "compression", 6, NULL);
    } else {
        result = vips_jpegsave_buffer(image, out, out_length, "strip", TRUE, "Q", quality, "optimize_coding", TRUE,
                                      "interlace", TRUE, NULL);
    }
    *out_width = vips_image_get_width(image);
    *out_height = vips_image_get_height(image);
    *out_is_png = has_alpha;
    g_object_unref(image);
    return result;
}

int starcon_vips_pixels(const void *data, size_t length, sc_format format, int size,
                        unsigned char **out, int *out_width, int *out_height) {
    if (starcon_vips_start() != 0) return -1;
    VipsImage *image = prepare(data, length, format, size);
    if (!image) return -1;
    VipsImage *flat = NULL;
    if (vips_image_hasalpha(image)) {
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        int failed = vips_flatten(image, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        g_object_unref(image);
        if (failed) return -1;
    } else {
        flat = image;
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
    size_t length_out = 0;
    void *memory = vips_image_write_to_memory(rgb, &length_out);
    *out_width = vips_image_get_width(rgb);
    *out_height = vips_image_get_height(rgb);
    g_object_unref(rgb);
    if (!memory) return -1;
    *out = memory;
    return 0;
}

void starcon_vips_free(void *pointer) { g_free(pointer); }

const char *starcon_vips_error(void) {
    static __thread char message[512];
    const char *text = vips_error_buffer();
    strncpy(message, text ? text : "", sizeof message - 1);
    message[sizeof message - 1] = 0;
    vips_error_clear();
    return message;
}
