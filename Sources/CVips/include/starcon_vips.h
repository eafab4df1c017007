#ifndef STARCON_VIPS_H
#define STARCON_VIPS_H
#include <stddef.h>

/* A small, non-variadic face over libvips for Swift (which cannot call C variadic functions).
 * Every function is safe to call from any thread once starcon_vips_start() has returned 0. */

typedef enum { SC_JPEG = 1, SC_PNG = 2, SC_GIF = 3, SC_WEBP = 4 } sc_format;

/* Starts libvips once; returns 0 on success. */
int starcon_vips_start(void);

/* Reads only the header of an image of a known format: its size in pixels (before orientation).
 * Returns 0 on success. Nothing is decoded, so this is the decompression-bomb check. */
int starcon_vips_probe(const void *data, size_t length, sc_format format, int *width, int *height);

/* One rendition: encoded bytes (free with starcon_vips_processed_free), its size, and whether it is PNG. */
typedef struct {
    void *data;
    size_t length;
    int width;
    int height;
    int is_png;
    int must_free; /* how data was allocated; for starcon_vips_processed_free */
} sc_rendition;

typedef struct {
    int large_side;       /* neither side of the large view exceeds this */
    int small_side;       /* nor of the small preview */
    int blur_side;        /* the blurhash pixels fit in blur_side x blur_side */
    int original_quality; /* JPEG qualities, when a version is encoded as JPEG */
    int large_quality;
    int small_quality;
    int original_progressive; /* 1: progressive JPEG (smaller, drawn coarse-to-fine; slower to encode) */
    int large_progressive;
    int small_progressive;
    int threads;          /* 2: the small preview is made on a second thread while the large view is encoded */
} sc_options;

/* What an upload becomes: three renditions, all upright (EXIF orientation applied) and without any metadata,
 * and the small preview's pixels shrunk to blur_side, as 8-bit sRGB RGB (row-major, 3 bytes each), for the
 * blurhash. PNG when the picture has transparency, else JPEG. */
typedef struct {
    sc_rendition original;
    sc_rendition large;
    sc_rendition small;
    unsigned char *pixels;
    int pixels_width;
    int pixels_height;
} sc_processed;

/* Decodes (the first frame of) an image once and makes every rendition from those pixels. The original of
 * an upright baseline or progressive JPEG is its own compressed data with every metadata segment removed
 * (no re-encoding; the pixels are then decoded only at the large view's size, with libjpeg's shrink-on-load);
 * any other original is re-encoded from the pixels. Returns 0 on success; on failure nothing needs freeing.
 * Call starcon_vips_probe first: this decodes without checking the pixel count. */
int starcon_vips_process(const void *data, size_t length, sc_format format, const sc_options *options, sc_processed *out);

void starcon_vips_processed_free(sc_processed *processed);

/* The last error on this thread, or "" (and clears it). */
const char *starcon_vips_error(void);

#endif
