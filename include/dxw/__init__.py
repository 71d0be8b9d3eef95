"""dx-warehouse: the digital-transformation data warehouse of Vietnamese localities."""
