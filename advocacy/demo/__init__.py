"""The demo firm: a generated consultancy with its clients' whole history, for trying the product.
Outside the domain on purpose: nothing here is a business rule. `loader` puts it in the database."""
