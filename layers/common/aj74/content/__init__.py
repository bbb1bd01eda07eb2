"""Feed content: news, МЧС bulletins, missing-person notices and events, targeted by territory."""
