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

/* Decodes (the first frame of) an image, applies its EXIF orientation, shrinks it so that neither side
 * exceeds max_side (never enlarges; max_side 0 keeps the size), and encodes it again without any
 * metadata: as PNG when it has transparency, else as JPEG at the given quality.
 * On success returns 0 and sets *out (free with starcon_vips_free), its length, its size and whether it
 * is PNG. */
int starcon_vips_render(const void *data, size_t length, sc_format format, int max_side, int quality,
                        void **out, size_t *out_length, int *out_width, int *out_height, int *out_is_png);

/* The image shrunk to fit size x size, as 8-bit sRGB RGB pixels (row-major, 3 bytes each), for blurhash. */
int starcon_vips_pixels(const void *data, size_t length, sc_format format, int size,
                        unsigned char **out, int *out_width, int *out_height);

void starcon_vips_free(void *pointer);

/* The last error on this thread, or "" (and clears it). */
const char *starcon_vips_error(void);

#endif
