"""Images staff attach to polls, options, news, events and rewards (docs/decisions/016-images.md).

The browser uploads straight to S3 with a presigned POST (``uploads/<id>``, private); the server
then reads the object, checks its real type by magic bytes, decodes and re-encodes it without
metadata (EXIF with GPS, ICC profiles, text chunks) and writes the clean copy under ``media/<id>``,
the only prefix CloudFront serves. A body refers to an image by that id; the service checks the
clean copy exists before it stores the reference and shows it as a URL.
"""
