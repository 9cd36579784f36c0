#ifndef GUILDGATE_CCURL_SHIM_H
#define GUILDGATE_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: typed wrappers. */
static inline CURLcode gg_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gg_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gg_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gg_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gg_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*gg_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*gg_curl_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode gg_curl_setopt_data_cb(CURL *h, CURLoption o, gg_curl_data_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode gg_curl_setopt_xferinfo_cb(CURL *h, CURLoption o, gg_curl_xferinfo_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode gg_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
#endif
