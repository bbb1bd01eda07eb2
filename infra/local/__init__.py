"""The embedded local stack: moto as local AWS, the API, the function drivers, the admin site."""
