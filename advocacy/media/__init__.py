"""Images from elsewhere, fetched once through the outbound client and served from our origin."""
