"""Staff role and territory-scope assignments made by the Ministry of IT administrator."""
